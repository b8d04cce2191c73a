using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Transport;

/// <summary>Sizes of packets the broker would send, encoded as they would be (for rare checks, not per message).</summary>
internal static class PacketEncoding
{
    public static int SizeOf(MqttPacket packet, MqttProtocolVersion version)
    {
        var formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(256, 65535));
        var size = formatter.Encode(packet).Length;
        formatter.Cleanup();
        return size;
    }
}
