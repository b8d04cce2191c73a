namespace MqttCluster.Grains;

/// <summary>
/// What a session registry partition keeps for one persistent session, as its session grain last reported it: when
/// the session must be checked (its will delay or expiry), and the routes the route index holds for it while it is
/// offline. With both stored, an offline session needs no activation until a message or a due time comes for it.
/// </summary>
/// <param name="CheckAtUnixMilliseconds">The session's next due moment (will or expiry) while it is offline; null while
/// a connection owns it (such sessions are checked once when the partition activates, in case the node restarted under
/// them).</param>
/// <param name="OfflineFilters">The session's non-shared filters while they are routes in the route index, else
/// empty.</param>
/// <param name="QueuedMessages">Messages in the session's stored queue, for the gauges: stored with the partition's
/// next write, never a write of its own.</param>
[GenerateSerializer, Immutable, Alias("mqtt.SessionRegistryEntry")]
public sealed record SessionRegistryEntry(
    [property: Id(0)] long? CheckAtUnixMilliseconds,
    [property: Id(1)] string[] OfflineFilters,
    [property: Id(2)] int QueuedMessages = 0)
{
    /// <summary>Whether the entries differ in nothing that must be stored before a caller goes on.</summary>
    public bool Matches(SessionRegistryEntry other) =>
        CheckAtUnixMilliseconds == other.CheckAtUnixMilliseconds && OfflineFilters.AsSpan().SequenceEqual(other.OfflineFilters);
}
