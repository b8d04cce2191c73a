using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// Registers this gateway's delivery endpoint with the route index at start, refreshes it periodically (re-sending
/// routes the index lost, and the sessions its sessions registry lost, e.g. after the silo holding it restarted) and
/// unregisters at shutdown. In a process that also runs a silo, its topic grains reach this gateway directly
/// (<see cref="ColocatedGateways"/>) while it is registered.
/// </summary>
public sealed partial class GatewayRegistration(
    IGrainFactory grainFactory,
    GatewayIdentity identity,
    GatewayDeliveryObserver observer,
    Connections.ConnectedClients clients,
    LocalSubscriptions subscriptions,
    TimeProvider timeProvider,
    ILogger<GatewayRegistration> logger,
    ColocatedGateways? colocated = null) : IHostedService, IDisposable
{
    private static readonly TimeSpan DeliveriesQuietFor = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDeliveryDrain = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private IGatewayObserver? _reference;
    private Task _refreshLoop = Task.CompletedTask;

    private IRouteIndexGrain RouteIndex => grainFactory.GetGrain<IRouteIndexGrain>(0);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grainFactory.CreateObjectReference<IGatewayObserver>(observer);
        identity.Reference = _reference;
        colocated?.Add(identity.GatewayId, observer);
        await RefreshAsync();
        LogRegistered(identity.GatewayId);
        _refreshLoop = RefreshLoopAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _refreshLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await RouteIndex.UnregisterGatewayAsync(identity.GatewayId).WaitAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            LogUnregisterFailed(exception);
        }

        await AwaitDeliveriesInFlightAsync(cancellationToken);
        colocated?.Remove(identity.GatewayId);
        if (_reference is not null)
        {
            grainFactory.DeleteObjectReference<IGatewayObserver>(_reference);
        }
    }

    /// <summary>
    /// Topic grains stop choosing this gateway once the route index dropped it, but batches they had queued for it
    /// still arrive for a moment; taken here, they reach the sessions that left it (<see cref="DepartedSessions"/>)
    /// at once rather than after a failed delivery's retries.
    /// </summary>
    private async Task AwaitDeliveriesInFlightAsync(CancellationToken cancellationToken)
    {
        var waited = timeProvider.GetTimestamp();
        while (observer.SinceLastDelivery < DeliveriesQuietFor && timeProvider.GetElapsedTime(waited) < MaxDeliveryDrain)
        {
            await Task.Delay(DeliveriesQuietFor / 5, timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RefreshAsync()
    {
        var registration = await RouteIndex.RegisterGatewayAsync(identity.GatewayId, _reference!);
        if (registration.WasDeclaredDead)
        {
            // We were too slow to refresh and the cluster moved our sessions offline: our connections are stale.
            LogDeclaredDead(identity.GatewayId);
            await clients.CloseAllAsync(MQTTnet.Protocol.MqttDisconnectReasonCode.ServerBusy, TimeSpan.FromSeconds(5));
        }

        var missing = subscriptions.Routes.Except(registration.Routes, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            LogResendingRoutes(missing.Length);
            await RouteIndex.AddRoutesAsync(identity.GatewayId, missing);
        }

        // The cluster's list of this gateway's sessions lives in memory: after its silo restarted, fill it again.
        var sessions = grainFactory.GetGrain<IGatewaySessionsGrain>(identity.GatewayId);
        if (await sessions.NeedsRestoreAsync())
        {
            await sessions.RestoreAsync(clients.SessionEpochs());
        }
    }

    private Task RefreshLoopAsync() =>
        Hosting.PeriodicRefresh.RunAsync(GatewayLiveness.RefreshInterval, timeProvider, RefreshAsync, LogRefreshFailed, _stopping.Token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} registered with the cluster")]
    private partial void LogRegistered(string gatewayId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway {GatewayId} missed its refreshes and was declared dead by the cluster; closing all its connections so clients reconnect")]
    private partial void LogDeclaredDead(string gatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route index had lost {Count} route(s) of this gateway; re-sent them")]
    private partial void LogResendingRoutes(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the gateway registration failed; retrying")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unregistering the gateway at shutdown failed")]
    private partial void LogUnregisterFailed(Exception exception);
}
