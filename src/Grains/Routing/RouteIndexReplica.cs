using Microsoft.Extensions.Logging;
using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// This silo's copy of the route index, read by topic grains on every publish. Fed by deltas from
/// <see cref="IRouteIndexGrain"/>; a gap in versions or a new epoch triggers a resync from a snapshot.
/// Plain filters live in one trie; shared subscription routes in another, keyed by their inner filter.
/// </summary>
/// <remarks>
/// When the route index grain is activated anew (its silo died) it starts empty and learns the routes again from
/// the gateways' next refresh and the offline sessions it wakes. A replica loading that new index's first snapshots
/// would route messages for those targets nowhere, after their publishers were acknowledged. So on a new epoch the
/// replica carries the routes of targets the new index does not know yet, until the index sends routes for that
/// target (or removes it) or <see cref="CarryOverPeriod"/> has passed. Extra deliveries meanwhile are harmless:
/// gateways match every delivery against their own subscriptions, and sessions queue only what they subscribed to.
/// </remarks>
public sealed partial class RouteIndexReplica(TimeProvider timeProvider, ILogger<RouteIndexReplica> logger) : IRouteReplicaObserver
{
    /// <summary>Longer than a live gateway needs to re-register with a new index: it refreshes every 2 s, and a
    /// refresh caught by the dead silo times out after 5 s.</summary>
    public static readonly TimeSpan CarryOverPeriod = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IGatewayObserver> _gateways = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _filtersByTarget = new(StringComparer.Ordinal);

    // Routes carried over from the previous index epoch, in the tries too but never also live (disjoint sets).
    private readonly Dictionary<string, HashSet<string>> _carriedFiltersByTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IGatewayObserver> _carriedGateways = new(StringComparer.Ordinal);
    private long _carriedUntil;
    private TopicTrie<string> _routes = new(StringComparer.Ordinal);
    private TopicTrie<SharedRoute> _sharedRoutes = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Guid _epoch;
    private long _version;
    private long _changeCount;

    /// <summary>
    /// Completes when the replica has loaded its first snapshot. A silo takes grain calls a moment before that (it
    /// joins the cluster first), and a topic grain routing with the empty replica would deliver to no one.
    /// </summary>
    public Task Loaded => _loaded.Task;

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

    /// <summary>The delivery endpoint of a registered gateway (also one carried over from the previous index
    /// epoch), or null.</summary>
    public IGatewayObserver? FindGateway(string gatewayId)
    {
        var target = RouteTarget.Gateway(gatewayId);
        lock (_lock)
        {
            return _gateways.GetValueOrDefault(target) ?? _carriedGateways.GetValueOrDefault(target);
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
            DropExpiredCarriedRoutesLocked();
            Interlocked.Increment(ref _changeCount);
        }

        return Task.CompletedTask;
    }

    /// <summary>Ends the carry-over of routes from the previous index epoch once its period has passed.</summary>
    public void DropExpiredCarriedRoutes()
    {
        lock (_lock)
        {
            if (DropExpiredCarriedRoutesLocked())
            {
                Interlocked.Increment(ref _changeCount);
            }
        }
    }

    public Task LoadAsync(RouteSnapshot snapshot)
    {
        Load(snapshot);
        return Task.CompletedTask;
    }

    public void Load(RouteSnapshot snapshot)
    {
        lock (_lock)
        {
            if (snapshot.Epoch == _epoch && snapshot.Version <= _version)
            {
                // Older than what this replica applied since (a refresh's answer overtaken by deltas while routes
                // churn): loading it would step back, and the next delta would look out of order.
                return;
            }

            var carried = CarryOverLocked(snapshot);
            _routes = new TopicTrie<string>(StringComparer.Ordinal);
            _sharedRoutes = new TopicTrie<SharedRoute>();
            _gateways.Clear();
            _filtersByTarget.Clear();
            _carriedFiltersByTarget.Clear();
            _carriedGateways.Clear();
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

            foreach (var (target, filters, gateway) in carried)
            {
                _carriedFiltersByTarget[target] = filters;
                if (gateway is not null)
                {
                    _carriedGateways[target] = gateway;
                }

                foreach (var filter in filters)
                {
                    AddToTrie(filter, target);
                }
            }

            if (carried.Count > 0)
            {
                LogCarriedOver(snapshot.Epoch, carried.Count, CarryOverPeriod);
            }

            _epoch = snapshot.Epoch;
            _version = snapshot.Version;
            Interlocked.Increment(ref _changeCount);
            LogResynchronised(_epoch, _version, _routes.Count + _sharedRoutes.Count);
        }

        _loaded.TrySetResult();
    }

    /// <summary>
    /// The routes to keep across this load: on a new epoch every target with routes that the snapshot has no
    /// routes for; within an epoch (a resync) those still carried that the snapshot has no routes for either. Never
    /// a target the snapshot says was removed.
    /// </summary>
    private List<(string Target, HashSet<string> Filters, IGatewayObserver? Gateway)> CarryOverLocked(RouteSnapshot snapshot)
    {
        var newEpoch = snapshot.Epoch != _epoch && _epoch != Guid.Empty;
        if (newEpoch)
        {
            _carriedUntil = timeProvider.GetTimestamp() + (long)(CarryOverPeriod.TotalSeconds * timeProvider.TimestampFrequency);
        }
        else if (_carriedFiltersByTarget.Count == 0 || timeProvider.GetTimestamp() >= _carriedUntil)
        {
            return [];
        }

        // Targets with routes in the snapshot need no carrying; targets the index removed must not be carried.
        var known = snapshot.Targets.Where(t => t.Filters.Length > 0).Select(t => t.Target)
            .Concat(snapshot.RemovedTargets)
            .ToHashSet(StringComparer.Ordinal);
        var previous = newEpoch ? _filtersByTarget.Concat(_carriedFiltersByTarget) : _carriedFiltersByTarget;
        return [.. previous
            .Where(t => t.Value.Count > 0 && !known.Contains(t.Key))
            .GroupBy(t => t.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.SelectMany(t => t.Value).ToHashSet(StringComparer.Ordinal), _gateways.GetValueOrDefault(g.Key) ?? _carriedGateways.GetValueOrDefault(g.Key)))];
    }

    /// <summary>The new index knows this target now: its carried routes end.</summary>
    private void DropCarriedLocked(string target)
    {
        if (_carriedFiltersByTarget.Remove(target, out var filters))
        {
            foreach (var filter in filters)
            {
                RemoveFromTrie(filter, target);
            }
        }

        _carriedGateways.Remove(target);
    }

    private bool DropExpiredCarriedRoutesLocked()
    {
        if (_carriedFiltersByTarget.Count == 0 || timeProvider.GetTimestamp() < _carriedUntil)
        {
            return false;
        }

        foreach (var target in _carriedFiltersByTarget.Keys.ToArray())
        {
            DropCarriedLocked(target);
        }

        return true;
    }

    private RouteDestination[] ToDestinations(HashSet<string> targets)
    {
        var result = new List<RouteDestination>(targets.Count);
        foreach (var target in targets)
        {
            if (_gateways.TryGetValue(target, out var gateway) || _carriedGateways.TryGetValue(target, out gateway))
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
        if (delta.TargetRemoved || delta.AddedFilters.Length > 0)
        {
            DropCarriedLocked(delta.Target);
        }

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
        AddToTrie(filter, target);
    }

    private void AddToTrie(string filter, string target)
    {
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

        RemoveFromTrie(filter, target);
    }

    private void RemoveFromTrie(string filter, string target)
    {
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Route index restarted (epoch {Epoch}): keeping the routes of {TargetCount} target(s) it does not know yet for up to {Period}, until they register again")]
    private partial void LogCarriedOver(Guid epoch, int targetCount, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route replica loaded snapshot {Epoch}/{Version} with {RouteCount} routes")]
    private partial void LogResynchronised(Guid epoch, long version, int routeCount);

    private sealed record SharedRoute(string GroupRoute, string Target);
}
