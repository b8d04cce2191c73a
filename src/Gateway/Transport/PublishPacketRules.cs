using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// The variable header of a PUBLISH from a client (3.3.2): a UTF-8 topic name, a packet identifier when QoS > 0,
/// and in MQTT 5 a property list, which must be there even when empty.
/// </summary>
internal static class PublishPacketRules
{
    public static void Check(byte fixedHeader, ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        var reader = new PacketBodyReader(body, "PUBLISH");

        // A topic with characters the broker refuses is an invalid topic name (0x90), not an undecodable packet.
        reader.ReadString("the topic name", allowControlCharacters, MqttDisconnectReasonCode.TopicNameInvalid);
        var qos = (fixedHeader >> 1) & 0x03;
        if (qos > 0 && reader.ReadUInt16() == 0)
        {
            throw MqttProtocolError.ProtocolViolation("QoS > 0 PUBLISH without packet identifier [MQTT-2.2.1-3].");
        }

        if (version == MqttProtocolVersion.V500)
        {
            if (reader.Remaining == 0)
            {
                throw MqttProtocolError.Malformed("MQTT 5 PUBLISH without its property length (3.3.2.3.1).");
            }

            MqttPropertyRules.Read(ref reader, PropertyContext.Publish);
        }
    }
}
