using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// Registers this silo's <see cref="RouteIndexReplica"/> with the route index when the silo becomes active and
/// refreshes the registration periodically, loading a snapshot whenever the replica has fallen behind.
/// </summary>
public sealed partial class RouteReplicaSynchronizer(
    RouteIndexReplica replica,
    IGrainFactory grainFactory,
    ILocalSiloDetails silo,
    TimeProvider timeProvider,
    ILogger<RouteReplicaSynchronizer> logger) : PeriodicSiloWork(RefreshInterval, timeProvider, ServiceLifecycleStage.Active)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Made at the first refresh. It is never deleted: the route index keeps pushing deltas to this replica
    /// until this silo is gone (it has no call to unregister), and each delta to a deleted reference is an error in
    /// this silo's log (HostedClient: "Unexpected target grain"). Once the silo is gone the index drops the replica.</summary>
    private IRouteReplicaObserver? _reference;

    /// <summary>Registers the replica (when the silo starts: a failure fails the start) and loads a snapshot when the
    /// index says it is behind.</summary>
    protected override async Task RoundAsync()
    {
        _reference ??= grainFactory.CreateObjectReference<IRouteReplicaObserver>(replica);
        replica.DropExpiredCarriedRoutes();
        var (epoch, version) = replica.Position;
        var index = grainFactory.GetGrain<IRouteIndexGrain>(0);
        var snapshot = await index.RegisterReplicaAsync(silo.SiloAddress.ToParsableString(), _reference, epoch, version);
        if (snapshot is not null)
        {
            replica.Load(snapshot);
        }
    }

    protected override void RoundFailed(Exception exception) => LogRefreshFailed(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the route replica failed; retrying")]
    private partial void LogRefreshFailed(Exception exception);
}
