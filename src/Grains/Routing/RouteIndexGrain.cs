using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// Authoritative route index. Soft state: gateways refresh their registration periodically and re-send routes the
/// index no longer holds, so the index rebuilds itself after it is lost. Each change is pushed to every silo's
/// replica before the call returns.
/// </summary>
public sealed partial class RouteIndexGrain(ILogger<RouteIndexGrain> logger) : Grain, IRouteIndexGrain
{
    private readonly Dictionary<string, GatewayEntry> _gateways = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IRouteReplicaObserver> _replicas = new(StringComparer.Ordinal);
    private readonly Guid _epoch = Guid.NewGuid();
    private long _version;

    public async Task<string[]> RegisterGatewayAsync(string gatewayId, IGatewayObserver gateway)
    {
        if (_gateways.TryGetValue(gatewayId, out var entry))
        {
            if (!ReferenceEquals(entry.Gateway, gateway) && !entry.Gateway.Equals(gateway))
            {
                entry.Gateway = gateway;
                await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, GatewayId = gatewayId, Gateway = gateway });
            }

            return [.. entry.Filters];
        }

        _gateways[gatewayId] = new GatewayEntry(gateway);
        LogGatewayRegistered(gatewayId);
        await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, GatewayId = gatewayId, Gateway = gateway });
        return [];
    }

    public async Task UnregisterGatewayAsync(string gatewayId)
    {
        if (_gateways.Remove(gatewayId))
        {
            LogGatewayRemoved(gatewayId);
            await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, GatewayId = gatewayId, GatewayRemoved = true });
        }
    }

    public async Task AddRoutesAsync(string gatewayId, string[] filters)
    {
        var entry = GetGateway(gatewayId);
        var added = filters.Where(entry.Filters.Add).ToArray();
        if (added.Length > 0)
        {
            await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, GatewayId = gatewayId, AddedFilters = added });
        }
    }

    public async Task RemoveRoutesAsync(string gatewayId, string[] filters)
    {
        if (!_gateways.TryGetValue(gatewayId, out var entry))
        {
            return;
        }

        var removed = filters.Where(entry.Filters.Remove).ToArray();
        if (removed.Length > 0)
        {
            await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, GatewayId = gatewayId, RemovedFilters = removed });
        }
    }

    public async Task<RouteSnapshot?> RegisterReplicaAsync(string siloId, IRouteReplicaObserver replica, Guid knownEpoch, long knownVersion)
    {
        _replicas[siloId] = replica;
        return knownEpoch == _epoch && knownVersion == _version ? null : await GetSnapshotAsync();
    }

    public Task<RouteSnapshot> GetSnapshotAsync() => Task.FromResult(new RouteSnapshot
    {
        Epoch = _epoch,
        Version = _version,
        Gateways = [.. _gateways.Select(g => new GatewayRoutes(g.Key, g.Value.Gateway, [.. g.Value.Filters]))],
    });

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Gateways and replicas only refresh every few seconds; idle collection would drop the index in between.
        DelayDeactivation(TimeSpan.FromDays(3650));
        return Task.CompletedTask;
    }

    private GatewayEntry GetGateway(string gatewayId) =>
        _gateways.TryGetValue(gatewayId, out var entry)
            ? entry
            : throw new InvalidOperationException($"Gateway '{gatewayId}' is not registered with the route index.");

    /// <summary>Pushes a delta to every replica; a replica that fails is dropped and resynchronises on its own.</summary>
    private async Task PublishAsync(RouteDelta delta)
    {
        var replicas = _replicas.ToArray();
        var calls = replicas.Select(r => r.Value.ApplyAsync(delta)).ToArray();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            for (var i = 0; i < calls.Length; i++)
            {
                if (calls[i].IsFaulted)
                {
                    LogReplicaFailed(replicas[i].Key, calls[i].Exception?.GetBaseException());
                    _replicas.Remove(replicas[i].Key);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} registered with the route index")]
    private partial void LogGatewayRegistered(string gatewayId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} and its routes removed from the route index")]
    private partial void LogGatewayRemoved(string gatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route replica of silo {SiloId} did not apply a delta; it will resynchronise")]
    private partial void LogReplicaFailed(string siloId, Exception? exception);

    private sealed class GatewayEntry(IGatewayObserver gateway)
    {
        public IGatewayObserver Gateway { get; set; } = gateway;

        public HashSet<string> Filters { get; } = new(StringComparer.Ordinal);
    }
}
