using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// Deliveries published but not yet received, over all clients. "As fast as possible" publishers wait while it is
/// above --max-backlog, so a broker that takes messages faster than it delivers them is measured at the rate it
/// sustains, with bounded queues, instead of filling its memory until the run ends.
/// </summary>
public sealed class DeliveryBacklog(long limit, int deliveriesPerMessage)
{
    // When deliveries stop (a broker dropping QoS 0 messages never sends them), waiting longer would stall the run.
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMilliseconds(200);

    private long _due;
    private long _received;

    public void Published() => Interlocked.Add(ref _due, deliveriesPerMessage);

    public void Received() => Interlocked.Increment(ref _received);

    /// <summary>Waits while the backlog is over the limit and deliveries are still progressing.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellation)
    {
        if (limit <= 0 || Interlocked.Read(ref _due) - Interlocked.Read(ref _received) <= limit)
        {
            return;
        }

        var received = Interlocked.Read(ref _received);
        var progress = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref _due) - Interlocked.Read(ref _received) > limit && Stopwatch.GetElapsedTime(progress) < StuckAfter)
        {
            await Task.Delay(1, cancellation);
            var now = Interlocked.Read(ref _received);
            if (now != received)
            {
                received = now;
                progress = Stopwatch.GetTimestamp();
            }
        }
    }
}
