using MqttCluster.Core.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Reads the data types of 1.5 from a packet body, for the checks MQTTnet's codec does not make. Anything that
/// runs past the end is a malformed packet.
/// </summary>
internal ref struct PacketBodyReader(ReadOnlySpan<byte> body, string packetName)
{
    private ReadOnlySpan<byte> _rest = body;

    public readonly int Remaining => _rest.Length;

    public readonly string PacketName => packetName;

    public byte ReadByte()
    {
        Need(1, "a byte");
        var value = _rest[0];
        _rest = _rest[1..];
        return value;
    }

    public ushort ReadUInt16()
    {
        Need(2, "a two-byte integer");
        var value = (ushort)((_rest[0] << 8) | _rest[1]);
        _rest = _rest[2..];
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4, "a four-byte integer");
        var value = (uint)((_rest[0] << 24) | (_rest[1] << 16) | (_rest[2] << 8) | _rest[3]);
        _rest = _rest[4..];
        return value;
    }

    /// <summary>A Variable Byte Integer (1.5.5): at most four bytes, in its shortest form.</summary>
    public int ReadVariableByteInteger()
    {
        var value = 0;
        var multiplier = 1;
        for (var i = 0; i < 4; i++)
        {
            var encoded = ReadByte();
            value += (encoded & 0x7F) * multiplier;
            if ((encoded & 0x80) == 0)
            {
                if (i > 0 && encoded == 0)
                {
                    // [MQTT-1.5.5-1]: the minimum number of bytes must be used.
                    throw MqttProtocolError.Malformed($"{packetName}: variable byte integer not in its shortest form [MQTT-1.5.5-1].");
                }

                return value;
            }

            multiplier *= 128;
        }

        throw MqttProtocolError.Malformed($"{packetName}: variable byte integer longer than four bytes (1.5.5).");
    }

    /// <summary>Binary Data (1.5.6): a two-byte length and that many bytes.</summary>
    public ReadOnlySpan<byte> ReadBinary(string what)
    {
        Need(2, what);
        var length = (_rest[0] << 8) | _rest[1];
        Need(2 + length, what);
        var value = _rest.Slice(2, length);
        _rest = _rest[(2 + length)..];
        return value;
    }

    /// <summary>
    /// A UTF-8 Encoded String (1.5.4). Returns what is wrong with it; ill-formed UTF-8, surrogates and U+0000 are
    /// malformed whatever the caller decides about the rest [MQTT-1.5.4-1], [MQTT-1.5.4-2].
    /// </summary>
    public Utf8StringViolation ReadString(string what, bool allowControlCharacters) =>
        ReadString(what, allowControlCharacters, out _);

    /// <summary>As <see cref="ReadString(string, bool)"/>, also giving the string's length in bytes.</summary>
    public Utf8StringViolation ReadString(string what, bool allowControlCharacters, out int length)
    {
        var bytes = ReadBinary(what);
        length = bytes.Length;
        var violation = MqttUtf8String.Check(bytes, allowControlCharacters);
        if (violation.IsMalformed())
        {
            throw MqttProtocolError.Malformed($"{packetName}: {what} is not a valid UTF-8 string ({violation}) [MQTT-1.5.4-1], [MQTT-1.5.4-2].");
        }

        return violation;
    }

    /// <summary>
    /// A string whose control and non-characters the broker refuses (unless Mqtt:AllowControlCharacters): such a
    /// string ends the connection with <paramref name="refusal"/>.
    /// </summary>
    public void ReadString(string what, bool allowControlCharacters, MQTTnet.Protocol.MqttDisconnectReasonCode refusal)
    {
        var violation = ReadString(what, allowControlCharacters);
        if (violation != Utf8StringViolation.None)
        {
            throw new MqttProtocolError(refusal, $"{packetName}: {what} contains a {violation}: refused, Mqtt:AllowControlCharacters accepts it (1.5.4).");
        }
    }

    /// <summary>Splits off the next <paramref name="length"/> bytes as a reader of their own.</summary>
    public PacketBodyReader Slice(int length, string what)
    {
        Need(length, what);
        var inner = new PacketBodyReader(_rest[..length], packetName);
        _rest = _rest[length..];
        return inner;
    }

    private readonly void Need(int count, string what)
    {
        if (_rest.Length < count)
        {
            throw MqttProtocolError.Malformed($"{packetName}: the packet ends before {what}.");
        }
    }
}
