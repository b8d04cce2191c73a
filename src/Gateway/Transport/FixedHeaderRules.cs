using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// The fixed header of a packet from a client: its type is one a client may send, its flag bits are exactly those
/// of the table in 2.1.3 [MQTT-2.1.3-1], and packets without a body have none.
/// </summary>
internal static class FixedHeaderRules
{
    public static void Check(byte fixedHeader, int remainingLength, MqttProtocolVersion version)
    {
        var type = (MqttControlPacketType)(fixedHeader >> 4);
        var flags = fixedHeader & 0x0F;
        switch (type)
        {
            case MqttControlPacketType.Publish:
                CheckPublishFlags(flags);
                return;
            case MqttControlPacketType.ConnAck or MqttControlPacketType.SubAck or MqttControlPacketType.UnsubAck or MqttControlPacketType.PingResp:
                // Well-formed packet types that only a server sends: not allowed from a client (4.13.1).
                throw MqttProtocolError.ProtocolViolation($"{type} is sent by servers only, not by a client.");
            case MqttControlPacketType.Auth when version != MqttProtocolVersion.V500:
                throw MqttProtocolError.Malformed("Packet type 15 is reserved before MQTT 5 [MQTT-2.1.3-1].");
            case MqttControlPacketType.Auth:
                // No CONNECT is accepted with an Authentication Method, so no AUTH exchange can be in progress (4.12).
                throw MqttProtocolError.ProtocolViolation("AUTH without an authentication method in use (4.12, 3.15).");
            case < MqttControlPacketType.Connect or > MqttControlPacketType.Auth:
                throw MqttProtocolError.Malformed($"Reserved packet type {fixedHeader >> 4} [MQTT-2.1.3-1].");
        }

        var expected = type is MqttControlPacketType.PubRel or MqttControlPacketType.Subscribe or MqttControlPacketType.Unsubscribe ? 0x02 : 0x00;
        if (flags != expected)
        {
            throw MqttProtocolError.Malformed($"{type} with fixed-header flags 0x{flags:X} instead of 0x{expected:X} [MQTT-2.1.3-1].");
        }

        if (remainingLength != 0 && (type == MqttControlPacketType.PingReq || (type == MqttControlPacketType.Disconnect && version != MqttProtocolVersion.V500)))
        {
            // PINGREQ (3.12) and the 3.1.1 DISCONNECT (3.14) have neither variable header nor payload.
            throw MqttProtocolError.Malformed($"{type} with a remaining length of {remainingLength} instead of 0.");
        }
    }

    private static void CheckPublishFlags(int flags)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3)
        {
            throw MqttProtocolError.Malformed("PUBLISH with QoS 3 [MQTT-3.3.1-4].");
        }

        if (qos == 0 && (flags & 0x08) != 0)
        {
            throw MqttProtocolError.Malformed("QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2].");
        }
    }
}
