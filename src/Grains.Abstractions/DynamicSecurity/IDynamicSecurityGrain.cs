namespace MqttCluster.Grains;

/// <summary>
/// The cluster's dynamic-security state (Mosquitto's plugin: clients, groups, roles, default access), persisted in
/// the cluster's storage. One activation, key <see cref="Key"/>. Gateways keep a replica fed by
/// <see cref="IDynamicSecurityObserver"/> pushes and re-synchronise by version, as routes do.
/// </summary>
[Alias("mqtt.IDynamicSecurityGrain")]
public interface IDynamicSecurityGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Runs a command batch (the payload of <c>$CONTROL/dynamic-security/v1</c>) on behalf of
    /// <paramref name="actor"/> (who sent it, for the audit log) and returns the response payload.</summary>
    [Alias("Execute")]
    Task<DynamicSecurityResponse> ExecuteAsync(byte[] commands, string actor);

    [Alias("GetSnapshot")]
    Task<DynamicSecuritySnapshot> GetSnapshotAsync();

    /// <summary>Takes a Mosquitto <c>dynamic-security.json</c> as the initial state, only when the cluster has none
    /// yet (the first start); true when it was imported.</summary>
    [Alias("ImportIfEmpty")]
    Task<bool> ImportIfEmptyAsync(string document, string source);

    /// <summary>Registers (or refreshes) a gateway's observer; returns the current version so the gateway can catch
    /// up on a change it missed. Observers that stop refreshing are dropped.</summary>
    [Alias("Subscribe")]
    Task<long> SubscribeAsync(IDynamicSecurityObserver observer);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IDynamicSecurityObserver observer);
}
