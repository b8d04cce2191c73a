namespace MqttCluster.Grains.Sessions;

/// <summary>
/// What is due for an offline session and when: its will (after its delay) and its expiry, from the stored state.
/// The session's registry partition keeps the next of them and checks the session then (<see cref="SessionRegistryGrain"/>).
/// </summary>
internal static class SessionTimetable
{
    /// <summary>The next due moment of <paramref name="state"/> (will or expiry), as Unix milliseconds; null when
    /// nothing is due.</summary>
    public static long? NextDue(SessionState state) =>
        new[] { state.WillDueAtUnixMilliseconds, state.ExpiresAtUnixMilliseconds }.Where(t => t is not null).Min();

    /// <summary>The message a will becomes when it is published: a new id, and its own expiry from now.</summary>
    public static BrokerMessage WillMessage(BrokerMessage will, uint messageExpiryInterval, long nowUnixMilliseconds) => will with
    {
        MessageId = Guid.NewGuid(),
        ExpiresAtUnixMilliseconds = messageExpiryInterval == 0 ? null : nowUnixMilliseconds + (messageExpiryInterval * 1000L),
    };
}
