namespace MqttCluster.Grains;

/// <summary>
/// The authoritative route index: topic filter → gateways that have local subscribers for it, and offline
/// persistent sessions. Only route
/// changes (a gateway's first subscriber to a filter, its last one leaving) reach it, never publishes. Every silo
/// holds a replica that topic grains read; a change returns only after every replica applied it, so a SUBACK sent
/// after it is routable cluster-wide.
/// </summary>
[Alias("mqtt.IRouteIndexGrain")]
public interface IRouteIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Registers or refreshes a gateway (every <see cref="GatewayLiveness.RefreshInterval"/>). A gateway
    /// that misses refreshes for <see cref="GatewayLiveness.Expiry"/> is declared dead: its routes go and its
    /// sessions go offline. The answer lets a gateway re-send routes the index lost (e.g. after the silo holding
    /// it died).</summary>
    [Alias("RegisterGateway")]
    Task<GatewayRegistrationResult> RegisterGatewayAsync(string gatewayId, IGatewayObserver gateway);

    [Alias("UnregisterGateway")]
    Task UnregisterGatewayAsync(string gatewayId);

    [Alias("AddRoutes")]
    Task AddRoutesAsync(string gatewayId, string[] filters);

    [Alias("RemoveRoutes")]
    Task RemoveRoutesAsync(string gatewayId, string[] filters);

    /// <summary>Replaces the routes of an offline persistent session (its non-shared filters); an empty set
    /// removes the session as a target.</summary>
    [Alias("SetSessionRoutes")]
    Task SetSessionRoutesAsync(string clientId, string[] filters);

    /// <summary>Registers (or refreshes) a silo's replica. Returns a snapshot when the replica's epoch or version
    /// differs from the index, null when it is up to date.</summary>
    [Alias("RegisterReplica")]
    Task<RouteSnapshot?> RegisterReplicaAsync(string siloId, IRouteReplicaObserver replica, Guid knownEpoch, long knownVersion);

    [Alias("GetSnapshot")]
    Task<RouteSnapshot> GetSnapshotAsync();
}
