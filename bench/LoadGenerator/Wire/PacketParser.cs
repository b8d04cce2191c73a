using System.Buffers.Binary;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// Splits the broker's byte stream into MQTT packets (fixed header, remaining length, body) and decodes the parts a
/// load generator needs. Pure: no I/O, so it is easy to read and to test.
/// </summary>
public static class PacketParser
{
    /// <summary>The length of the first packet in <paramref name="data"/>, or 0 when it is not complete yet.</summary>
    public static int FrameLength(ReadOnlySpan<byte> data, out int headerLength)
    {
        headerLength = 0;
        var remaining = 0;
        for (var i = 1; i <= 4; i++)
        {
            if (i >= data.Length)
            {
                return 0;
            }

            remaining |= (data[i] & 0x7F) << (7 * (i - 1));
            if ((data[i] & 0x80) == 0)
            {
                headerLength = i + 1;
                return data.Length >= headerLength + remaining ? headerLength + remaining : 0;
            }
        }

        throw new InvalidDataException("a remaining length longer than 4 bytes");
    }

    /// <summary>
    /// QoS and packet id of a PUBLISH body (<paramref name="flags"/>: the low nibble of byte 1), and where its
    /// payload starts in the body.
    /// </summary>
    public static (int Qos, ushort PacketId, int PayloadOffset) Publish(int flags, ReadOnlySpan<byte> body, bool v5)
    {
        var qos = (flags >> 1) & 3;
        var at = 2 + BinaryPrimitives.ReadUInt16BigEndian(body);
        ushort id = 0;
        if (qos > 0)
        {
            id = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
            at += 2;
        }

        if (v5)
        {
            var properties = VariableInteger(body[at..], out var size);
            at += size + properties;
        }

        return (qos, id, at);
    }

    /// <summary>Packet id and reason code (0 when omitted) of PUBACK, PUBREC, PUBREL, PUBCOMP.</summary>
    public static (ushort PacketId, byte Reason) Acknowledgement(ReadOnlySpan<byte> body) =>
        (BinaryPrimitives.ReadUInt16BigEndian(body), body.Length > 2 ? body[2] : (byte)0);

    private static int VariableInteger(ReadOnlySpan<byte> data, out int size)
    {
        var value = 0;
        for (size = 1; size <= 4; size++)
        {
            value |= (data[size - 1] & 0x7F) << (7 * (size - 1));
            if ((data[size - 1] & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("a variable byte integer longer than 4 bytes");
    }
}
