namespace MqttCluster.Core.Delivery;

/// <summary>
/// Flow control from one subscriber back to the publishers feeding it (Mqtt:SlowSubscribers = PushBack): while the
/// QoS 1/2 messages queued behind its in-flight window are at or above a mark (half the queue limit), deliveries to
/// it are answered only once the queue is below the mark again. The topic grains acknowledge their publishers only
/// then, so a publisher faster than its subscriber is slowed to the subscriber's pace instead of losing messages.
/// Meanwhile the queue takes what arrives even past its limit: it can exceed it only by what the publishers had
/// in flight, since they are not acknowledged. A subscriber that stops acknowledging for
/// <c>Mqtt:PushBackGiveUpAfter</c> no longer holds anyone back: its queue limit applies (drops,
/// counted) until it acknowledges again. Not thread-safe: the connection calls it under its outbound lock.
/// </summary>
public sealed class SubscriberFlowControl(int mark, TimeSpan giveUpAfter, TimeProvider timeProvider)
{
    /// <summary>For Mqtt:SlowSubscribers = Drop: never holds anyone back.</summary>
    public static SubscriberFlowControl Off { get; } = new(int.MaxValue, TimeSpan.Zero, TimeProvider.System);

    private long _lastProgress = timeProvider.GetTimestamp();
    private TaskCompletionSource? _relieved;

    /// <summary>Whether deliveries should wait for <see cref="WhenRelieved"/> (queued: messages behind the window).</summary>
    public bool IsCongested(int queued, int inflight) => queued >= mark && HoldsPublishers(inflight);

    /// <summary>Whether the subscriber's pace holds its publishers back now, so its queue limit does not drop.</summary>
    public bool HoldsPublishers(int inflight) => mark != int.MaxValue && !IsStalled(inflight);

    /// <summary>
    /// The client acknowledged something (it is alive, and flow control applies to it again), or it is sent a
    /// message while it owes no acknowledgement (its silence until then was no stall).
    /// </summary>
    public void OnProgress() => _lastProgress = timeProvider.GetTimestamp();

    /// <summary>Completes when the queue went below the mark, the subscriber stalled or the connection ended.</summary>
    public Task WhenRelieved()
    {
        _relieved ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Task.WhenAny(_relieved.Task, Task.Delay(giveUpAfter, timeProvider));
    }

    /// <summary>Releases the waiting deliveries once the queue is below the mark (or always, when ending).</summary>
    public void Update(int queued, bool ending = false)
    {
        if (_relieved is not null && (ending || queued < mark))
        {
            _relieved.TrySetResult();
            _relieved = null;
        }
    }

    private bool IsStalled(int inflight) => inflight > 0 && timeProvider.GetElapsedTime(_lastProgress) >= giveUpAfter;
}
