using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Every rule a packet from a client must meet before MQTTnet's codec decodes it, in one place: the codec is
/// lenient (it drops what it cannot represent, such as Topic Alias 0 or a Maximum Packet Size of 0, and accepts
/// wrong flags), so the rules are checked on the bytes. Throws <see cref="MqttProtocolError"/>.
/// </summary>
internal static class ClientPacketRules
{
    /// <summary>Checks a packet that follows the CONNECT; <paramref name="version"/> is the connection's.</summary>
    public static void Check(byte fixedHeader, ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        var type = (MqttControlPacketType)(fixedHeader >> 4);
        FixedHeaderRules.Check(fixedHeader, body.Length, version);
        switch (type)
        {
            case MqttControlPacketType.Publish:
                PublishPacketRules.Check(fixedHeader, body, version, allowControlCharacters);
                break;
            case MqttControlPacketType.PubAck:
                AcknowledgementPacketRules.Check("PUBACK", body, version);
                break;
            case MqttControlPacketType.PubRec:
                AcknowledgementPacketRules.Check("PUBREC", body, version);
                break;
            case MqttControlPacketType.PubRel:
                AcknowledgementPacketRules.Check("PUBREL", body, version);
                break;
            case MqttControlPacketType.PubComp:
                AcknowledgementPacketRules.Check("PUBCOMP", body, version);
                break;
            case MqttControlPacketType.Subscribe:
                SubscribePacketRules.Check(body, version, allowControlCharacters);
                break;
            case MqttControlPacketType.Unsubscribe:
                UnsubscribePacketRules.Check(body, version, allowControlCharacters);
                break;
            case MqttControlPacketType.Disconnect when version == MqttProtocolVersion.V500:
                DisconnectPacketRules.Check(body);
                break;
        }
    }
}
