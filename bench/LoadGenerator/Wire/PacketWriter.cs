using System.Buffers.Binary;
using System.Text;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// Encodes the few MQTT 3.1.1 / 5.0 packets a load generator sends into a reusable buffer, so that several packets
/// go out in one write. Not thread-safe: one writer per buffer.
/// </summary>
public sealed class PacketWriter(int protocolVersion)
{
    private byte[] _buffer = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public bool IsV5 => protocolVersion == 5;

    public void Clear() => Length = 0;

    public void Connect(string clientId, bool cleanStart, ushort keepAliveSeconds)
    {
        var id = Encoding.UTF8.GetByteCount(clientId);
        var body = 2 + 4 + 1 + 1 + 2 + (IsV5 ? 1 : 0) + 2 + id;
        Header(0x10, body);
        String("MQTT"u8);
        Byte((byte)protocolVersion);
        Byte(cleanStart ? (byte)0x02 : (byte)0x00);
        UInt16(keepAliveSeconds);
        if (IsV5)
        {
            Byte(0); // no CONNECT properties
        }

        UInt16((ushort)id);
        Length += Encoding.UTF8.GetBytes(clientId, Room(id));
    }

    public void Subscribe(ushort packetId, IReadOnlyList<string> filters, int qos)
    {
        var body = 2 + (IsV5 ? 1 : 0) + filters.Sum(f => 2 + Encoding.UTF8.GetByteCount(f) + 1);
        Header(0x82, body);
        UInt16(packetId);
        if (IsV5)
        {
            Byte(0);
        }

        foreach (var filter in filters)
        {
            var length = Encoding.UTF8.GetByteCount(filter);
            UInt16((ushort)length);
            Length += Encoding.UTF8.GetBytes(filter, Room(length));
            Byte((byte)qos);
        }
    }

    /// <summary>A PUBLISH whose payload the caller fills: the returned span is the payload's place in the buffer.</summary>
    public Span<byte> Publish(ReadOnlySpan<byte> topic, int qos, ushort packetId, int payloadLength)
    {
        var body = 2 + topic.Length + (qos > 0 ? 2 : 0) + (IsV5 ? 1 : 0) + payloadLength;
        Header((byte)(0x30 | (qos << 1)), body);
        String(topic);
        if (qos > 0)
        {
            UInt16(packetId);
        }

        if (IsV5)
        {
            Byte(0);
        }

        var payload = Room(payloadLength);
        Length += payloadLength;
        return payload;
    }

    /// <summary>PUBACK (0x40), PUBREC (0x50), PUBREL (0x62) or PUBCOMP (0x70) with success (reason code omitted).</summary>
    public void Acknowledge(byte firstByte, ushort packetId)
    {
        Header(firstByte, 2);
        UInt16(packetId);
    }

    public void Disconnect()
    {
        Header(0xE0, 0);
    }

    private void Header(byte first, int remainingLength)
    {
        Byte(first);
        do
        {
            var digit = (byte)(remainingLength % 128);
            remainingLength /= 128;
            Byte(remainingLength > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remainingLength > 0);
    }

    private void String(ReadOnlySpan<byte> utf8)
    {
        UInt16((ushort)utf8.Length);
        utf8.CopyTo(Room(utf8.Length));
        Length += utf8.Length;
    }

    private void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Room(2), value);
        Length += 2;
    }

    private void Byte(byte value)
    {
        Room(1)[0] = value;
        Length++;
    }

    private Span<byte> Room(int bytes)
    {
        if (Length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + bytes));
        }

        return _buffer.AsSpan(Length, bytes);
    }
}
