namespace MqttCluster.Grains.Sessions;

/// <summary>
/// What is due for an offline session and when: its will (after its delay) and its expiry, from the stored state,
/// and the one timer that wakes the grain for the next of them.
/// </summary>
internal sealed class SessionTimetable(TimeProvider timeProvider)
{
    /// <summary>The longest single wait of the timer: a .NET timer waits at most about 49.7 days, MQTT 5 expiries go
    /// up to 136 years (3.1.2.11.2) and Mosquitto's persistent clients never expire. Longer waits are taken in steps:
    /// the timer fires, finds nothing due yet and is set again.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(7);

    private ITimer? _timer;

    /// <summary>The next due moment of <paramref name="state"/> (will or expiry), as Unix milliseconds; null when
    /// nothing is due.</summary>
    public static long? NextDue(SessionState state) =>
        new[] { state.WillDueAtUnixMilliseconds, state.ExpiresAtUnixMilliseconds }.Where(t => t is not null).Min();

    /// <summary>Sets the timer for <paramref name="dueAtUnixMilliseconds"/> (or a step towards it) and returns how
    /// long it waits; <paramref name="wake"/> runs when it fires.</summary>
    public TimeSpan Schedule(long dueAtUnixMilliseconds, Action wake)
    {
        Cancel();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var due = TimeSpan.FromMilliseconds(Math.Clamp(dueAtUnixMilliseconds - now, 0, (long)MaxStep.TotalMilliseconds));
        _timer = timeProvider.CreateTimer(_ => wake(), null, due, Timeout.InfiniteTimeSpan);
        return due;
    }

    public void Cancel()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>The message a will becomes when it is published: a new id, and its own expiry from now.</summary>
    public static BrokerMessage WillMessage(BrokerMessage will, uint messageExpiryInterval, long nowUnixMilliseconds) => will with
    {
        MessageId = Guid.NewGuid(),
        ExpiresAtUnixMilliseconds = messageExpiryInterval == 0 ? null : nowUnixMilliseconds + (messageExpiryInterval * 1000L),
    };
}
