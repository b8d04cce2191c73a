using System.Text;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Hand-built packet bytes for conformance tests: what no client library would send. Each helper writes the data
/// types of MQTT 1.5 and leaves every flag and length to the caller.
/// </summary>
public static class PacketBytes
{
    /// <summary>A packet: the fixed-header byte, the remaining length (1.5.5), then the parts.</summary>
    public static byte[] Packet(byte fixedHeader, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [fixedHeader, .. VariableByteInteger(body.Length), .. body];
    }

    public static byte[] VariableByteInteger(int value)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            bytes.Add(value > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (value > 0);
        return [.. bytes];
    }

    public static byte[] UInt16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] UInt32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>A UTF-8 Encoded String (1.5.4) of exactly these bytes.</summary>
    public static byte[] String(byte[] utf8) => [.. UInt16(utf8.Length), .. utf8];

    public static byte[] String(string text) => String(Encoding.UTF8.GetBytes(text));

    /// <summary>An MQTT 5 property list: its length, then the properties as given.</summary>
    public static byte[] Properties(params byte[][] properties)
    {
        var all = properties.SelectMany(p => p).ToArray();
        return [.. VariableByteInteger(all.Length), .. all];
    }

    /// <summary>
    /// A CONNECT: protocol name and level, the connect flags as given, keep-alive 60, MQTT 5 properties when
    /// <paramref name="properties"/> is not null, then the payload parts (client id first) as given.
    /// </summary>
    public static byte[] Connect(string protocolName, byte level, byte flags, byte[]? properties, params byte[][] payload) =>
        Packet(0x10, [.. String(protocolName), level, flags, .. UInt16(60), .. properties ?? [], .. payload.SelectMany(p => p)]);

    /// <summary>A well-formed clean-session CONNECT for <paramref name="level"/> 4 (3.1.1) or 5.</summary>
    public static byte[] Connect(byte level, string clientId) =>
        Connect("MQTT", level, 0x02, level == 5 ? Properties() : null, String(clientId));

    /// <summary>Code points as UTF-8, then appended raw bytes (for ill-formed sequences).</summary>
    public static byte[] Utf8(string text, params byte[] raw) => [.. Encoding.UTF8.GetBytes(text), .. raw];

    /// <summary>The strings the UTF-8 rules refuse, by name, as raw bytes after a readable prefix.</summary>
    public static byte[] BadUtf8(string kind) => kind switch
    {
        "ill-formed" => Utf8("a/", 0xC3, 0x28),
        "overlong" => Utf8("a/", 0xC0, 0xAF),
        "surrogate" => Utf8("a/", 0xED, 0xA0, 0x80),
        "U+0000" => Utf8("a/", 0x00),
        "control" => Utf8("a/", 0x01),
        "C1 control" => Utf8("a/", 0xC2, 0x85),
        "non-character" => Utf8("a/", 0xEF, 0xBF, 0xBF),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Kinds of <see cref="BadUtf8"/> that make any packet malformed [MQTT-1.5.4-1], [MQTT-1.5.4-2].</summary>
    public static readonly string[] MalformedUtf8 = ["ill-formed", "overlong", "surrogate", "U+0000"];

    /// <summary>Kinds the broker refuses by default and Mqtt:AllowControlCharacters accepts.</summary>
    public static readonly string[] RefusedUtf8 = ["control", "C1 control", "non-character"];
}
