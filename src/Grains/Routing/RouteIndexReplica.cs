using Microsoft.Extensions.Logging;
using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// This silo's copy of the route index, read by topic grains on every publish. Fed by deltas from
/// <see cref="IRouteIndexGrain"/>; a gap in versions or a new epoch triggers a resync from a snapshot.
/// Plain filters live in one trie; shared subscription routes in another, keyed by their inner filter.
/// </summary>
public sealed partial class RouteIndexReplica(ILogger<RouteIndexReplica> logger) : IRouteReplicaObserver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IGatewayObserver> _gateways = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _filtersByTarget = new(StringComparer.Ordinal);
    private TopicTrie<string> _routes = new(StringComparer.Ordinal);
    private TopicTrie<SharedRoute> _sharedRoutes = new();
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
                return _routes.Count + _sharedRoutes.Count;
            }
        }
    }

    /// <summary>The destinations of messages published to <paramref name="topic"/>.</summary>
    public RouteMatch Match(string topic)
    {
        lock (_lock)
        {
            HashSet<string>? targets = null;
            _routes.Match(topic, (_, target) => (targets ??= new HashSet<string>(StringComparer.Ordinal)).Add(target));
            Dictionary<string, HashSet<string>>? groups = null;
            _sharedRoutes.Match(topic, (_, route) =>
            {
                groups ??= new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                if (!groups.TryGetValue(route.GroupRoute, out var members))
                {
                    groups[route.GroupRoute] = members = new HashSet<string>(StringComparer.Ordinal);
                }

                members.Add(route.Target);
            });

            if (targets is null && groups is null)
            {
                return RouteMatch.None;
            }

            var fanOut = targets is null ? [] : ToDestinations(targets);
            var shared = groups is null
                ? []
                : groups.OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new SharedGroupMatch(g.Key, ToDestinations(g.Value)))
                    .Where(g => g.Members.Length > 0)
                    .ToArray();
            return new RouteMatch(fanOut, shared);
        }
    }

    public Task ApplyAsync(RouteDelta delta)
    {
        lock (_lock)
        {
            if (delta.Epoch != _epoch || delta.Version != _version + 1)
            {
                // Throwing makes the index drop this replica until it re-registers with a snapshot.
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
            _sharedRoutes = new TopicTrie<SharedRoute>();
            _gateways.Clear();
            _filtersByTarget.Clear();
            foreach (var target in snapshot.Targets)
            {
                if (target.Gateway is not null)
                {
                    _gateways[target.Target] = target.Gateway;
                }

                foreach (var filter in target.Filters)
                {
                    AddRoute(filter, target.Target);
                }
            }

            _epoch = snapshot.Epoch;
            _version = snapshot.Version;
            Interlocked.Increment(ref _changeCount);
            LogResynchronised(_epoch, _version, _routes.Count + _sharedRoutes.Count);
        }
    }

    private RouteDestination[] ToDestinations(HashSet<string> targets)
    {
        var result = new List<RouteDestination>(targets.Count);
        foreach (var target in targets)
        {
            if (_gateways.TryGetValue(target, out var gateway))
            {
                result.Add(new RouteDestination(target, gateway, null));
            }
            else if (RouteTarget.IsSession(target, out var clientId))
            {
                result.Add(new RouteDestination(target, null, clientId));
            }
        }

        return [.. result];
    }

    private void ApplyLocked(RouteDelta delta)
    {
        if (delta.TargetRemoved)
        {
            _gateways.Remove(delta.Target);
            if (_filtersByTarget.TryGetValue(delta.Target, out var filters))
            {
                foreach (var filter in filters.ToArray())
                {
                    RemoveRoute(filter, delta.Target);
                }
            }

            return;
        }

        if (delta.Gateway is not null)
        {
            _gateways[delta.Target] = delta.Gateway;
        }

        foreach (var filter in delta.AddedFilters)
        {
            AddRoute(filter, delta.Target);
        }

        foreach (var filter in delta.RemovedFilters)
        {
            RemoveRoute(filter, delta.Target);
        }
    }

    private void AddRoute(string filter, string target)
    {
        if (!_filtersByTarget.TryGetValue(target, out var filters))
        {
            _filtersByTarget[target] = filters = new HashSet<string>(StringComparer.Ordinal);
        }

        filters.Add(filter);
        if (TopicFilter.TryParseShared(filter, out _, out var inner))
        {
            _sharedRoutes.Add(inner, new SharedRoute(filter, target));
        }
        else
        {
            _routes.Add(filter, target);
        }
    }

    private void RemoveRoute(string filter, string target)
    {
        if (_filtersByTarget.TryGetValue(target, out var filters) && filters.Remove(filter) && filters.Count == 0)
        {
            _filtersByTarget.Remove(target);
        }

        if (TopicFilter.TryParseShared(filter, out _, out var inner))
        {
            _sharedRoutes.Remove(inner, new SharedRoute(filter, target));
        }
        else
        {
            _routes.Remove(filter, target);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route delta {Epoch}/{Version} does not follow {LocalEpoch}/{LocalVersion}; resynchronising")]
    private partial void LogOutOfOrderDelta(Guid epoch, long version, Guid localEpoch, long localVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route replica loaded snapshot {Epoch}/{Version} with {RouteCount} routes")]
    private partial void LogResynchronised(Guid epoch, long version, int routeCount);

    private sealed record SharedRoute(string GroupRoute, string Target);
}
