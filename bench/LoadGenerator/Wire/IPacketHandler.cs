namespace MqttCluster.LoadGenerator.Wire;

/// <summary>What a <see cref="WireClient"/>'s reading thread does with the packets the broker sends.</summary>
public interface IPacketHandler
{
    /// <summary>A PUBLISH; the client acknowledges QoS 1/2 itself once this returns.</summary>
    void OnPublish(ReadOnlySpan<byte> payload);

    /// <summary>The broker took a QoS 1 message (PUBACK) or finished a QoS 2 flow (PUBCOMP); reason 0 = success.</summary>
    void OnAcknowledged(ushort packetId, byte reasonCode);
}
