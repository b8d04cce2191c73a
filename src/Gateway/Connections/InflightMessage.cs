using MQTTnet.Packets;

namespace MqttCluster.Gateway.Connections;

/// <summary>A QoS 1/2 PUBLISH sent to the client and not yet acknowledged.</summary>
internal sealed class InflightMessage(MqttPublishPacket packet)
{
    public MqttPublishPacket Packet { get; } = packet;

    public byte QualityOfService => (byte)Packet.QualityOfServiceLevel;

    /// <summary>QoS 2: PUBREC received and PUBREL sent, waiting for PUBCOMP.</summary>
    public bool Released { get; set; }
}
