using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// UNSUBSCRIBE (3.10): a non-zero packet identifier [MQTT-2.2.1-3], in MQTT 5 its properties, then at least one
/// UTF-8 topic filter [MQTT-3.10.3-2].
/// </summary>
internal static class UnsubscribePacketRules
{
    public static void Check(ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        var reader = new PacketBodyReader(body, "UNSUBSCRIBE");
        if (reader.ReadUInt16() == 0)
        {
            throw MqttProtocolError.ProtocolViolation("UNSUBSCRIBE with packet identifier 0 [MQTT-2.2.1-3].");
        }

        if (version == MqttProtocolVersion.V500)
        {
            MqttPropertyRules.Read(ref reader, PropertyContext.Unsubscribe);
        }

        if (reader.Remaining == 0)
        {
            throw MqttProtocolError.ProtocolViolation("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2].");
        }

        while (reader.Remaining > 0)
        {
            reader.ReadString("a topic filter", allowControlCharacters, MqttDisconnectReasonCode.TopicFilterInvalid);
        }
    }
}
