using Microsoft.Extensions.Logging;
using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// This silo's copy of the route index, read by topic grains on every publish. Fed by deltas from
/// <see cref="IRouteIndexGrain"/>; a gap in versions or a new epoch triggers a resync from a snapshot.
/// </summary>
public sealed partial class RouteIndexReplica(ILogger<RouteIndexReplica> logger) : IRouteReplicaObserver
{
    private readonly Lock _lock = new();
    private TopicTrie<string> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IGatewayObserver> _gateways = new(StringComparer.Ordinal);
    private Guid _epoch;
    private long _version;
    private long _changeCount;

    /// <summary>Increases on every change, so topic grains can cache their destinations per value.</summary>
    public long ChangeCount => Volatile.Read(ref _changeCount);

    public (Guid Epoch, long Version) Position
    {
        get
        {
            lock (_lock)
            {
                return (_epoch, _version);
            }
        }
    }

    public int FilterCount
    {
        get
        {
            lock (_lock)
            {
                return _routes.Count;
            }
        }
    }

    /// <summary>Gateways with at least one route matching <paramref name="topic"/>, each once.</summary>
    public GatewayDestination[] Match(string topic)
    {
        lock (_lock)
        {
            HashSet<string>? ids = null;
            _routes.Match(topic, (_, gatewayId) => (ids ??= new HashSet<string>(StringComparer.Ordinal)).Add(gatewayId));
            if (ids is null)
            {
                return [];
            }

            var result = new List<GatewayDestination>(ids.Count);
            foreach (var id in ids)
            {
                if (_gateways.TryGetValue(id, out var gateway))
                {
                    result.Add(new GatewayDestination(id, gateway));
                }
            }

            return [.. result];
        }
    }

    public Task ApplyAsync(RouteDelta delta)
    {
        lock (_lock)
        {
            if (delta.Epoch != _epoch || delta.Version != _version + 1)
            {
                // A gap: ignore and let the next refresh bring a snapshot. Throwing makes the index drop this
                // replica until it re-registers, which is what we want while it is stale.
                LogOutOfOrderDelta(delta.Epoch, delta.Version, _epoch, _version);
                throw new InvalidOperationException("Route delta out of order; replica will resynchronise.");
            }

            ApplyLocked(delta);
            _version = delta.Version;
            Interlocked.Increment(ref _changeCount);
        }

        return Task.CompletedTask;
    }

    public void Load(RouteSnapshot snapshot)
    {
        lock (_lock)
        {
            _routes = new TopicTrie<string>(StringComparer.Ordinal);
            _gateways.Clear();
            foreach (var gateway in snapshot.Gateways)
            {
                _gateways[gateway.GatewayId] = gateway.Gateway;
                foreach (var filter in gateway.Filters)
                {
                    _routes.Add(filter, gateway.GatewayId);
                }
            }

            _epoch = snapshot.Epoch;
            _version = snapshot.Version;
            Interlocked.Increment(ref _changeCount);
            LogResynchronised(_epoch, _version, _routes.Count);
        }
    }

    private void ApplyLocked(RouteDelta delta)
    {
        if (delta.GatewayRemoved)
        {
            _gateways.Remove(delta.GatewayId);
            foreach (var filter in _routes.Filters.ToArray())
            {
                _routes.Remove(filter, delta.GatewayId);
            }

            return;
        }

        if (delta.Gateway is not null)
        {
            _gateways[delta.GatewayId] = delta.Gateway;
        }

        foreach (var filter in delta.AddedFilters)
        {
            _routes.Add(filter, delta.GatewayId);
        }

        foreach (var filter in delta.RemovedFilters)
        {
            _routes.Remove(filter, delta.GatewayId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route delta {Epoch}/{Version} does not follow {LocalEpoch}/{LocalVersion}; resynchronising")]
    private partial void LogOutOfOrderDelta(Guid epoch, long version, Guid localEpoch, long localVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route replica loaded snapshot {Epoch}/{Version} with {RouteCount} routes")]
    private partial void LogResynchronised(Guid epoch, long version, int routeCount);
}
