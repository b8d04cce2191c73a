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
    ILogger<RouteReplicaSynchronizer> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private IRouteReplicaObserver? _reference;
    private Task _refreshLoop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RouteReplicaSynchronizer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => _stopping.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grainFactory.CreateObjectReference<IRouteReplicaObserver>(replica);
        await RefreshAsync();
        _refreshLoop = RefreshLoopAsync();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _refreshLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The reference is not deleted: the route index keeps pushing deltas to this replica until this silo is
        // gone (it has no call to unregister), and each delta to a deleted reference is an error in this silo's log
        // (HostedClient: "Unexpected target grain"). Once the silo is gone the index drops the replica.
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(RefreshInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await RefreshAsync();
                }
                catch (Exception exception) when (!_stopping.IsCancellationRequested)
                {
                    LogRefreshFailed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync()
    {
        replica.DropExpiredCarriedRoutes();
        var (epoch, version) = replica.Position;
        var index = grainFactory.GetGrain<IRouteIndexGrain>(0);
        var snapshot = await index.RegisterReplicaAsync(silo.SiloAddress.ToParsableString(), _reference!, epoch, version);
        if (snapshot is not null)
        {
            replica.Load(snapshot);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the route replica failed; retrying")]
    private partial void LogRefreshFailed(Exception exception);
}
