namespace MqttCluster.Grains;

/// <summary>
/// One partition of the list of persistent sessions, keyed by <see cref="Partition"/>. For each session it keeps a
/// <see cref="SessionRegistryEntry"/>: the partition runs one timer for its earliest due entry and checks just those
/// sessions (will delay, expiry), and a route index that starts afresh reads the offline sessions' routes from it. So
/// an offline session lives in storage only, also across restarts, and nothing wakes every session.
/// </summary>
[Alias("mqtt.ISessionRegistryGrain")]
public interface ISessionRegistryGrain : IGrainWithIntegerKey
{
    public const int Partitions = 16;

    static int Partition(string clientId) => StablePartition.Of(clientId, Partitions);

    /// <summary>Adds or updates a session's entry; returns once it is stored.</summary>
    [Alias("Set")]
    Task SetAsync(string clientId, SessionRegistryEntry entry);

    /// <summary>The depth of an offline session's queue changed (for the gauges): kept in memory, stored with the
    /// next write.</summary>
    [Alias("SetQueued")]
    Task SetQueuedAsync(string clientId, int queuedMessages);

    [Alias("Remove")]
    Task RemoveAsync(string clientId);

    [Alias("GetClientIds")]
    Task<string[]> GetClientIdsAsync();

    /// <summary>
    /// For a route index that starts afresh: the offline routes of this partition's sessions (client id → filters).
    /// The sessions listed as owned by a connection are checked as well: their gateway may have gone with the index.
    /// </summary>
    [Alias("GetOfflineRoutes")]
    Task<Dictionary<string, string[]>> GetOfflineRoutesAsync();

    /// <summary>Activates the partition (and with it its timer) if it is not: every silo calls this when it starts and
    /// periodically, so a partition lost with its silo resumes elsewhere.</summary>
    [Alias("KeepActive")]
    Task KeepActiveAsync();

    /// <summary>The partition's own timer calls back through this, on the grain's scheduler: checks the sessions
    /// that are due.</summary>
    [Alias("CheckDueSessions")]
    Task CheckDueSessionsAsync();
}
