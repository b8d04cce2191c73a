using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// Deliveries published but not yet received, over all clients. Only the closed-loop mode (--max-backlog N) uses it
/// to hold publishers back while more than N deliveries are on their way; that hides a broker's queueing and loss,
/// so compare.sh labels such runs "closed loop" and the default (0) never waits.
/// </summary>
public sealed class DeliveryBacklog(long limit, int deliveriesPerMessage)
{
    // When deliveries stop (a broker dropping QoS 0 messages never sends them), waiting longer would stall the run.
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMilliseconds(200);

    private long _due;
    private long _received;
    private long _receivedAtLastCheck;
    private long _progress = Stopwatch.GetTimestamp();

    public void Published(int messages) => Interlocked.Add(ref _due, (long)messages * deliveriesPerMessage);

    public void Received() => Interlocked.Increment(ref _received);

    /// <summary>
    /// False while the backlog is over the limit and deliveries are still progressing (called from the event loop's
    /// thread only).
    /// </summary>
    public bool HasRoom()
    {
        if (limit <= 0 || Interlocked.Read(ref _due) - Interlocked.Read(ref _received) <= limit)
        {
            return true;
        }

        var received = Interlocked.Read(ref _received);
        if (received != _receivedAtLastCheck)
        {
            _receivedAtLastCheck = received;
            _progress = Stopwatch.GetTimestamp();
        }

        return Stopwatch.GetElapsedTime(_progress) >= StuckAfter;
    }
}
