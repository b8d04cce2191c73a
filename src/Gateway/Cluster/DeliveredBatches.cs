using System.Collections.Concurrent;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// The last batch number this gateway took from each topic-grain outbox. An outbox numbers its batches in order and
/// sends the next only after the previous one was answered or given up, so a batch numbered at or below the last one
/// taken is a copy: sent again because the answer to the first was lost, or a first attempt that arrives late.
/// A copy of the last batch is answered as that batch is: when the batch waits for something (a hand-off to a
/// session grain, a congested subscriber), <see cref="Remember"/> keeps that wait, so a copy neither reports success
/// before the first is done nor hides its failure. Outboxes silent for <see cref="Memory"/> are forgotten (far longer
/// than an outbox keeps retrying).
/// </summary>
public sealed class DeliveredBatches(TimeProvider timeProvider)
{
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<Guid, LastTaken> _lastTaken = new();
    private long _nextSweep = timeProvider.GetTimestamp() + ToTicks(Memory, timeProvider);

    public int OutboxCount => _lastTaken.Count;

    /// <summary>
    /// True the first time <paramref name="batch"/> arrives; false for a copy of it or of an earlier batch, with
    /// <paramref name="earlier"/> the answer to give it: the first copy's wait, or done (an earlier batch was
    /// answered before this one was sent).
    /// </summary>
    public bool TryTake(DeliveryBatch batch, out Task earlier)
    {
        var now = timeProvider.GetTimestamp();
        SweepIfDue(now);
        earlier = Task.CompletedTask;
        var taken = new LastTaken(batch.Number, now, null);
        while (true)
        {
            if (!_lastTaken.TryGetValue(batch.Outbox, out var last))
            {
                if (_lastTaken.TryAdd(batch.Outbox, taken))
                {
                    return true;
                }
            }
            else if (batch.Number <= last.Number)
            {
                if (batch.Number == last.Number && last.Completion is { } completion)
                {
                    earlier = completion;
                }

                return false;
            }
            else if (_lastTaken.TryUpdate(batch.Outbox, taken, last))
            {
                return true;
            }
        }
    }

    /// <summary>Keeps what the answer to <paramref name="batch"/>, just taken, waits for, for its copies.</summary>
    public void Remember(DeliveryBatch batch, Task completion)
    {
        while (_lastTaken.TryGetValue(batch.Outbox, out var last) && last.Number == batch.Number && last.Completion is null)
        {
            if (_lastTaken.TryUpdate(batch.Outbox, last with { Completion = completion }, last))
            {
                return;
            }
        }
    }

    /// <summary>Whether <paramref name="batch"/> (or a later batch of its outbox) was taken here: its messages reached
    /// the connections that were here (a failed hand-off to a session grain is the rescue's to repair).</summary>
    public bool WasTaken(DeliveryBatch batch) =>
        _lastTaken.TryGetValue(batch.Outbox, out var last) && batch.Number <= last.Number;

    private void SweepIfDue(long now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + ToTicks(Memory, timeProvider), due) != due)
        {
            return;
        }

        var forgetBefore = now - ToTicks(Memory, timeProvider);
        foreach (var (outbox, last) in _lastTaken)
        {
            if (last.At < forgetBefore)
            {
                _lastTaken.TryRemove(new KeyValuePair<Guid, LastTaken>(outbox, last));
            }
        }
    }

    private static long ToTicks(TimeSpan span, TimeProvider timeProvider) => (long)(span.TotalSeconds * timeProvider.TimestampFrequency);

    private readonly record struct LastTaken(long Number, long At, Task? Completion);
}
