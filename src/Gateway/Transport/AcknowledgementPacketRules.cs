using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// PUBACK, PUBREC, PUBREL, PUBCOMP (3.4-3.7): a non-zero packet identifier, in 3.1.1 nothing else; in MQTT 5
/// optionally a reason code and then a property list that fills the rest of the packet exactly.
/// </summary>
internal static class AcknowledgementPacketRules
{
    public static void Check(string packetName, ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new PacketBodyReader(body, packetName);
        if (reader.ReadUInt16() == 0)
        {
            throw MqttProtocolError.ProtocolViolation($"{packetName} with packet identifier 0 [MQTT-2.2.1-3].");
        }

        if (version != MqttProtocolVersion.V500)
        {
            if (reader.Remaining != 0)
            {
                throw MqttProtocolError.Malformed($"{packetName} with a remaining length of {body.Length} instead of 2.");
            }

            return;
        }

        if (reader.Remaining == 0)
        {
            return;
        }

        _ = reader.ReadByte();
        if (reader.Remaining == 0)
        {
            return;
        }

        MqttPropertyRules.Read(ref reader, PropertyContext.Acknowledgement);
        if (reader.Remaining != 0)
        {
            throw MqttProtocolError.Malformed($"{packetName}: {reader.Remaining} bytes after its properties.");
        }
    }
}
