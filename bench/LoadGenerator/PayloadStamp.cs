using System.Buffers.Binary;
using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// The first 16 bytes of every payload: when it was published (<see cref="Stopwatch"/> ticks of this process,
/// as publishers and subscribers share it), which publisher sent it and its sequence number there.
/// </summary>
public readonly record struct PayloadStamp(long Timestamp, int Publisher, int Sequence)
{
    public const int Size = 16;

    public void WriteTo(Span<byte> payload)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(payload[8..], Publisher);
        BinaryPrimitives.WriteInt32LittleEndian(payload[12..], Sequence);
    }

    /// <summary>The stamp of a received payload, or null when it is too short to carry one.</summary>
    public static PayloadStamp? Read(ReadOnlySpan<byte> head)
    {
        if (head.Length < Size)
        {
            return null;
        }

        return new PayloadStamp(
            BinaryPrimitives.ReadInt64LittleEndian(head),
            BinaryPrimitives.ReadInt32LittleEndian(head[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(head[12..]));
    }
}
