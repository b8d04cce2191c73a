using System.Diagnostics;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// What one subscribing client received: counts, repeats (a sequence number not above the last one seen from
/// that publisher: a QoS 1 duplicate or a reordering) and latencies in the measurement window.
/// Updated only by that client's reading thread; read by others after <see cref="Volatile"/> reads of the counters.
/// </summary>
public sealed class SubscriberStats(int publishers, DeliveryBacklog backlog) : IPacketHandler
{
    private readonly int[] _lastSequence = Enumerable.Repeat(-1, publishers).ToArray();
    private long _received;

    /// <summary>Set before the first message is published.</summary>
    public MeasurementWindow Window { get; set; } = MeasurementWindow.Always;

    public LatencyHistogram Latency { get; } = new();

    public long Received => Volatile.Read(ref _received);

    public long ReceivedInWindow { get; private set; }

    public long Repeated { get; private set; }

    public long LastReceived { get; private set; }

    public void OnAcknowledged(ushort packetId, byte reasonCode)
    {
        // Subscribers publish nothing.
    }

    public void OnPublish(ReadOnlySpan<byte> payload)
    {
        var stamp = PayloadStamp.Read(payload);
        var now = Stopwatch.GetTimestamp();
        if (stamp is not { } s || (uint)s.Publisher >= (uint)_lastSequence.Length)
        {
            // Not one of this run's messages (topics are unique per run, so only a foreign publisher sends these).
            return;
        }

        if (s.Sequence <= _lastSequence[s.Publisher])
        {
            Repeated++;
        }
        else
        {
            _lastSequence[s.Publisher] = s.Sequence;
        }

        if (Window.Contains(now))
        {
            ReceivedInWindow++;
            Latency.Record((long)Stopwatch.GetElapsedTime(s.Timestamp, now).TotalMicroseconds);
        }

        LastReceived = now;
        backlog.Received();
        Volatile.Write(ref _received, _received + 1);
    }
}
