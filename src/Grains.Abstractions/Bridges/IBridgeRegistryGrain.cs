namespace MqttCluster.Grains;

/// <summary>
/// The bridges defined at run time (the REST API's <c>/api/v1/bridges</c>), kept in cluster storage so they survive a
/// restart of every node. Every start, change and stop of a managed bridge is sent from this grain's one activation,
/// in the order of the changes; every silo's bridge keeper asks it each round to start the managed bridges again
/// (which brings one whose silo died back on another). A managed bridge takes the place of a configured one of the
/// same name. Key <see cref="Key"/>.
/// </summary>
[Alias("mqtt.IBridgeRegistryGrain")]
public interface IBridgeRegistryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Every managed bridge, by name (ordinal order).</summary>
    [Alias("List")]
    Task<ManagedBridge[]> ListAsync();

    /// <summary>Starts every running managed bridge (idempotent; failures are logged and tried again next round) and
    /// returns the names of all managed bridges, running or stopped.</summary>
    [Alias("KeepRunning")]
    Task<string[]> KeepRunningAsync();

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
