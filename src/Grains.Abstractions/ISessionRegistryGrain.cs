namespace MqttCluster.Grains;

/// <summary>
/// One partition of the list of persistent sessions, so they can be woken after a restart (to queue messages and
/// expire on time) without scanning storage. Keyed by <see cref="Partition"/>.
/// </summary>
[Alias("mqtt.ISessionRegistryGrain")]
public interface ISessionRegistryGrain : IGrainWithIntegerKey
{
    public const int Partitions = 16;

    static int Partition(string clientId) => StablePartition.Of(clientId, Partitions);

    [Alias("Add")]
    Task AddAsync(string clientId);

    [Alias("Remove")]
    Task RemoveAsync(string clientId);

    /// <summary>The client ids of this partition; the silo wakes their session grains after a restart (not this
    /// grain, which they call back).</summary>
    [Alias("GetClientIds")]
    Task<string[]> GetClientIdsAsync();
}
