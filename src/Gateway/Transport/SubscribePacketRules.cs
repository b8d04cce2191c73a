using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// SUBSCRIBE (3.8): a non-zero packet identifier [MQTT-2.2.1-3], in MQTT 5 its properties, then at least one topic
/// filter [MQTT-3.8.3-3], each a UTF-8 string with subscription options whose reserved bits are 0.
/// </summary>
internal static class SubscribePacketRules
{
    public static void Check(ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        var reader = new PacketBodyReader(body, "SUBSCRIBE");
        if (reader.ReadUInt16() == 0)
        {
            throw MqttProtocolError.ProtocolViolation("SUBSCRIBE with packet identifier 0 [MQTT-2.2.1-3].");
        }

        var v5 = version == MqttProtocolVersion.V500;
        if (v5)
        {
            MqttPropertyRules.Read(ref reader, PropertyContext.Subscribe);
        }

        if (reader.Remaining == 0)
        {
            throw MqttProtocolError.ProtocolViolation("SUBSCRIBE without a topic filter [MQTT-3.8.3-3].");
        }

        while (reader.Remaining > 0)
        {
            reader.ReadString("a topic filter", allowControlCharacters, MqttDisconnectReasonCode.TopicFilterInvalid);
            CheckOptions(reader.ReadByte(), v5);
        }
    }

    private static void CheckOptions(byte options, bool v5)
    {
        if (!v5)
        {
            // [MQTT-3-8.3-4]: reserved bits set, or a QoS other than 0, 1, 2, make the packet malformed.
            if ((options & 0xFC) != 0 || (options & 0x03) == 3)
            {
                throw MqttProtocolError.Malformed($"SUBSCRIBE options 0x{options:X2}: reserved bits or QoS 3 [MQTT-3-8.3-4].");
            }

            return;
        }

        if ((options & 0xC0) != 0)
        {
            throw MqttProtocolError.Malformed($"SUBSCRIBE options 0x{options:X2}: reserved bits set [MQTT-3.8.3-5].");
        }

        if ((options & 0x03) == 3)
        {
            throw MqttProtocolError.ProtocolViolation("SUBSCRIBE with Maximum QoS 3 (3.8.3.1).");
        }

        if (((options >> 4) & 0x03) == 3)
        {
            throw MqttProtocolError.ProtocolViolation("SUBSCRIBE with Retain Handling 3 (3.8.3.1).");
        }
    }
}
