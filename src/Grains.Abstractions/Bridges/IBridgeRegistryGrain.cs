namespace MqttCluster.Grains;

/// <summary>
/// The bridges defined at run time (the REST API's <c>/api/v1/bridges</c>), kept in cluster storage so they survive a
/// restart of every node. Every silo's bridge keeper asks it each round which of them should run, and starts those
/// like the bridges of its own configuration; a managed bridge takes the place of a configured one of the same name.
/// One activation in the cluster (key <see cref="Key"/>).
/// </summary>
[Alias("mqtt.IBridgeRegistryGrain")]
public interface IBridgeRegistryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Every managed bridge, by name (ordinal order).</summary>
    [Alias("List")]
    Task<ManagedBridge[]> ListAsync();

    /// <summary>Adds the bridge, or replaces its options (keeping whether it runs); true when it was added. The bridge
    /// (re)starts with these options before this returns, when it runs.</summary>
    [Alias("Put")]
    Task<bool> PutAsync(BridgeOptions options);

    /// <summary>Starts or stops a managed bridge and remembers it; false when no managed bridge has that name.</summary>
    [Alias("SetRunning")]
    Task<bool> SetRunningAsync(string name, bool running);

    /// <summary>Forgets the bridge and stops it; false when no managed bridge has that name.</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync(string name);
}
