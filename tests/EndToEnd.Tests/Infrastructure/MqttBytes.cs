using System.Text;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>MQTT packets written out byte by byte (MQTT 3.1.1 and 5.0 wire format), so tests can also get them wrong.</summary>
public static class MqttBytes
{
    public const byte ConnectHeader = 0x10;
    public const byte PublishHeader = 0x30;
    public const byte SubscribeHeader = 0x82;

    /// <summary>CONNACK, session present 0, return code 0 (accepted), MQTT 3.1.1.</summary>
    public static readonly byte[] ConnAckAccepted311 = [0x20, 0x02, 0x00, 0x00];

    /// <summary>CONNACK with return code 0x01, unacceptable protocol version [MQTT-3.1.2-2].</summary>
    public static readonly byte[] ConnAckUnacceptableProtocolVersion = [0x20, 0x02, 0x00, 0x01];

    public static readonly byte[] PingReq = [0xC0, 0x00];

    public static readonly byte[] PingResp = [0xD0, 0x00];

    /// <summary>A packet: fixed header byte, remaining length, then the parts.</summary>
    public static byte[] Packet(byte fixedHeader, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [fixedHeader, .. RemainingLength(body.Length), .. body];
    }

    /// <summary>Variable byte integer [MQTT-1.5.5].</summary>
    public static byte[] RemainingLength(int length)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        return [.. bytes];
    }

    /// <summary>Two-byte length, then the bytes as given (which need not be valid UTF-8).</summary>
    public static byte[] LengthPrefixed(params byte[] bytes) => [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];

    public static byte[] Utf8(string text) => LengthPrefixed(Encoding.UTF8.GetBytes(text));

    /// <summary>CONNECT with clean session, keep-alive 60 s, protocol name "MQTT" and the given level (4 = 3.1.1, 5 = 5.0).</summary>
    public static byte[] Connect(string clientId, byte protocolLevel = 4)
    {
        byte[] properties = protocolLevel == 5 ? [0x00] : [];
        return Packet(ConnectHeader, Utf8("MQTT"), [protocolLevel, 0x02, 0x00, 0x3C], properties, Utf8(clientId));
    }

    /// <summary>PUBLISH QoS 0 (3.1.1 layout) with a topic given as raw bytes.</summary>
    public static byte[] Publish(byte[] topic, string payload) =>
        Packet(PublishHeader, LengthPrefixed(topic), Encoding.UTF8.GetBytes(payload));

    public static byte[] Publish(string topic, string payload) => Publish(Encoding.UTF8.GetBytes(topic), payload);

    /// <summary>SUBSCRIBE (3.1.1 layout) for one filter.</summary>
    public static byte[] Subscribe(ushort packetId, string filter, byte qos) =>
        Packet(SubscribeHeader, [(byte)(packetId >> 8), (byte)packetId], Utf8(filter), [qos]);

    public static string Hex(byte[] bytes) => bytes.Length == 0 ? "(no bytes)" : Convert.ToHexString(bytes);
}
