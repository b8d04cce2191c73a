using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Routing;

/// <summary>
/// Authoritative route index. Routes are soft state: gateways refresh their registration periodically and re-send
/// routes the index no longer holds; offline sessions' routes are read back from the session registry. Who is registered
/// (gateways, silo replicas) is stored (<see cref="RouteIndexRegistrations"/>). Each change is pushed to every silo's
/// replica before the call returns.
/// </summary>
public sealed partial class RouteIndexGrain(
    [PersistentState("routeIndex", StorageNames.Broker)] IPersistentState<RouteIndexRegistrations> registrations,
    IClusterMembershipService membership,
    TimeProvider timeProvider,
    ILogger<RouteIndexGrain> logger) : Grain, IRouteIndexGrain
{
    /// <summary>How long a new activation waits for a stored replica to take its first snapshot.</summary>
    private static readonly TimeSpan ReplicaLoadTimeout = TimeSpan.FromSeconds(3);

    private const int DeclaredDeadMemory = 1000;
    private const int RemovedTargetsMemory = 10_000;

    private readonly Dictionary<string, TargetEntry> _targets = new(StringComparer.Ordinal);

    /// <summary>Offline sessions' filters by client id: a plain array each (most have one or a few filters, and
    /// there may be a hundred thousand of them; a set per session cost about 200 bytes more).</summary>
    private readonly Dictionary<string, string[]> _sessionRoutes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _gatewayLastSeen = new(StringComparer.Ordinal);
    private readonly Queue<string> _declaredDeadOrder = new();
    private readonly HashSet<string> _declaredDead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IRouteReplicaObserver> _replicas = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedTargets = new(StringComparer.Ordinal);
    private readonly Queue<string> _removedTargetsOrder = new();
    private readonly Guid _epoch = Guid.NewGuid();
    private long _version;

    public async Task<GatewayRegistrationResult> RegisterGatewayAsync(string gatewayId, IGatewayObserver gateway)
    {
        _gatewayLastSeen[gatewayId] = timeProvider.GetTimestamp();
        var target = RouteTarget.Gateway(gatewayId);
        if (_targets.TryGetValue(target, out var entry))
        {
            if (!Equals(entry.Gateway, gateway))
            {
                entry.Gateway = gateway;
                await StoreAsync(registrations.State.Gateways, gatewayId, gateway);
                await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, Gateway = gateway });
            }

            return new GatewayRegistrationResult { Routes = [.. entry.Filters] };
        }

        _targets[target] = new TargetEntry(gateway);
        var wasDeclaredDead = _declaredDead.Remove(gatewayId);
        LogGatewayRegistered(gatewayId);
        await StoreAsync(registrations.State.Gateways, gatewayId, gateway);
        await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, Gateway = gateway });
        return new GatewayRegistrationResult { WasDeclaredDead = wasDeclaredDead };
    }

    /// <summary>
    /// Removes a gateway that is stopping. Also when this index does not know it (it restarted and the gateway had not
    /// refreshed yet): replicas may still carry its routes from the previous index, and those must end now too.
    /// </summary>
    public async Task UnregisterGatewayAsync(string gatewayId)
    {
        _gatewayLastSeen.Remove(gatewayId);
        _targets.Remove(RouteTarget.Gateway(gatewayId));
        LogGatewayRemoved(gatewayId);
        await ForgetAsync(registrations.State.Gateways, gatewayId);
        await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = RouteTarget.Gateway(gatewayId), TargetRemoved = true });
    }

    public Task AddRoutesAsync(string gatewayId, string[] filters)
    {
        var target = RouteTarget.Gateway(gatewayId);
        if (!_targets.TryGetValue(target, out var entry))
        {
            throw new InvalidOperationException($"Gateway '{gatewayId}' is not registered with the route index.");
        }

        return AddAsync(target, entry, filters);
    }

    public Task RemoveRoutesAsync(string gatewayId, string[] filters) =>
        _targets.TryGetValue(RouteTarget.Gateway(gatewayId), out var entry)
            ? RemoveAsync(RouteTarget.Gateway(gatewayId), entry, filters)
            : Task.CompletedTask;

    public async Task SetSessionRoutesAsync(string clientId, string[] filters)
    {
        var target = RouteTarget.Session(clientId);
        if (filters.Length == 0)
        {
            if (_sessionRoutes.Remove(clientId))
            {
                await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, TargetRemoved = true });
            }

            return;
        }

        string[] known = _sessionRoutes.GetValueOrDefault(clientId) ?? [];
        string[] wanted = [.. filters.Distinct(StringComparer.Ordinal)];
        string[] removed = [.. known.Except(wanted, StringComparer.Ordinal)];
        string[] added = [.. wanted.Except(known, StringComparer.Ordinal)];
        if (added.Length + removed.Length == 0)
        {
            return;
        }

        _sessionRoutes[clientId] = wanted;
        await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, AddedFilters = added, RemovedFilters = removed });
    }

    public async Task<RouteSnapshot?> RegisterReplicaAsync(string siloId, IRouteReplicaObserver replica, Guid knownEpoch, long knownVersion)
    {
        _replicas[siloId] = replica;
        await StoreAsync(registrations.State.Replicas, siloId, replica);
        return knownEpoch == _epoch && knownVersion == _version ? null : await GetSnapshotAsync();
    }

    public Task<RouteSnapshot> GetSnapshotAsync() => Task.FromResult(new RouteSnapshot
    {
        Epoch = _epoch,
        Version = _version,
        Targets =
        [
            .. _targets.Select(t => new TargetRoutes(t.Key, t.Value.Gateway, [.. t.Value.Filters])),
            .. _sessionRoutes.Select(s => new TargetRoutes(RouteTarget.Session(s.Key), null, s.Value)),
        ],
        RemovedTargets = [.. _removedTargets],
    });

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Gateways and replicas only refresh every few seconds; idle collection would drop the index in between.
        DelayDeactivation(TimeSpan.FromDays(3650));
        this.RegisterGrainTimer(ExpireSilentGatewaysAsync, GatewayLiveness.RefreshInterval, GatewayLiveness.RefreshInterval);

        // A new activation knows no routes: gateways re-send theirs on their next refresh; the offline persistent
        // sessions' routes come from the session registry, before any replica loads a snapshot, without waking one
        // session (at silo start this is what restores them after a restart).
        var sessions = await RestoreSessionRoutesAsync();
        await RestoreRegistrationsAsync();
        LogActivated(registrations.State.Gateways.Count, _replicas.Count, sessions);
    }

    /// <summary>Takes the offline sessions' routes from the session registry partitions; returns how many sessions.</summary>
    private async Task<int> RestoreSessionRoutesAsync()
    {
        var partitions = await Task.WhenAll(Enumerable.Range(0, ISessionRegistryGrain.Partitions)
            .Select(p => GrainFactory.GetGrain<ISessionRegistryGrain>(p).GetOfflineRoutesAsync()));
        foreach (var (clientId, filters) in partitions.SelectMany(p => p))
        {
            _sessionRoutes[clientId] = filters;
        }

        return _sessionRoutes.Count;
    }

    /// <summary>
    /// A new activation (the previous one's silo stopped or died) takes over who was registered: each stored
    /// gateway counts as seen now, so one that died with the previous activation is declared dead after
    /// <see cref="GatewayLiveness.Expiry"/> like any other; each stored replica loads this activation's snapshot
    /// now (carrying the old routes until their gateways re-send them), so a change acknowledged from now on is in
    /// every replica, not only in those that registered again.
    /// </summary>
    private async Task RestoreRegistrationsAsync()
    {
        var now = timeProvider.GetTimestamp();
        foreach (var (gatewayId, gateway) in registrations.State.Gateways)
        {
            _gatewayLastSeen[gatewayId] = now;
            _targets[RouteTarget.Gateway(gatewayId)] = new TargetEntry(gateway);
        }

        // Replicas of silos membership knows as gone (a restarted single node's previous process, say) are
        // forgotten without a call.
        var live = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is SiloStatus.Created or SiloStatus.Joining or SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var gone in registrations.State.Replicas.Keys.Where(s => !live.Contains(s)).ToArray())
        {
            await ForgetAsync(registrations.State.Replicas, gone);
        }

        if (registrations.State.Replicas.Count == 0)
        {
            return;
        }

        var snapshot = await GetSnapshotAsync();
        var replicas = registrations.State.Replicas.ToArray();
        var loads = replicas.Select(r => r.Value.LoadAsync(snapshot).WaitAsync(ReplicaLoadTimeout)).ToArray();
        await Task.WhenAll(loads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        for (var i = 0; i < loads.Length; i++)
        {
            if (loads[i].IsCompletedSuccessfully)
            {
                _replicas[replicas[i].Key] = replicas[i].Value;
            }
            else
            {
                // Its silo is gone (or busy): it loads a snapshot when it registers again.
                LogReplicaFailed(replicas[i].Key, loads[i].Exception?.GetBaseException());
                await ForgetAsync(registrations.State.Replicas, replicas[i].Key);
            }
        }
    }

    private async Task StoreAsync<T>(Dictionary<string, T> stored, string id, T reference)
        where T : class
    {
        if (!stored.TryGetValue(id, out var known) || !Equals(known, reference))
        {
            stored[id] = reference;
            await registrations.WriteStateAsync();
        }
    }

    private async Task ForgetAsync<T>(Dictionary<string, T> stored, string id)
    {
        if (stored.Remove(id))
        {
            await registrations.WriteStateAsync();
        }
    }

    /// <summary>
    /// Declares gateways that stopped refreshing dead: their routes are removed (no more deliveries into the
    /// void) and their sessions go offline, which queues their messages and publishes their wills.
    /// </summary>
    private async Task ExpireSilentGatewaysAsync(CancellationToken cancellationToken)
    {
        foreach (var (gatewayId, lastSeen) in _gatewayLastSeen.ToArray())
        {
            if (timeProvider.GetElapsedTime(lastSeen) < GatewayLiveness.Expiry)
            {
                continue;
            }

            _gatewayLastSeen.Remove(gatewayId);
            RememberDeclaredDead(gatewayId);
            LogGatewayExpired(gatewayId, GatewayLiveness.Expiry);
            if (_targets.Remove(RouteTarget.Gateway(gatewayId)))
            {
                await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = RouteTarget.Gateway(gatewayId), TargetRemoved = true });
            }

            // Not awaited here: the sessions call other grains; the index keeps serving meanwhile.
            _ = GrainFactory.GetGrain<IGatewaySessionsGrain>(gatewayId).GatewayLostAsync();
            await ForgetAsync(registrations.State.Gateways, gatewayId);
        }
    }

    /// <summary>Remembers removed targets (bounded) for snapshots; a target that comes back is forgotten.</summary>
    private void RememberRemoval(RouteDelta delta)
    {
        if (!delta.TargetRemoved)
        {
            _removedTargets.Remove(delta.Target);
            return;
        }

        if (_removedTargets.Add(delta.Target))
        {
            _removedTargetsOrder.Enqueue(delta.Target);
            while (_removedTargetsOrder.Count > RemovedTargetsMemory)
            {
                _removedTargets.Remove(_removedTargetsOrder.Dequeue());
            }
        }
    }

    private void RememberDeclaredDead(string gatewayId)
    {
        if (_declaredDead.Add(gatewayId))
        {
            _declaredDeadOrder.Enqueue(gatewayId);
            if (_declaredDeadOrder.Count > DeclaredDeadMemory)
            {
                _declaredDead.Remove(_declaredDeadOrder.Dequeue());
            }
        }
    }

    private async Task AddAsync(string target, TargetEntry entry, string[] filters)
    {
        var added = filters.Where(entry.Filters.Add).ToArray();
        if (added.Length > 0)
        {
            await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, AddedFilters = added });
        }
    }

    private async Task RemoveAsync(string target, TargetEntry entry, string[] filters)
    {
        var removed = filters.Where(entry.Filters.Remove).ToArray();
        if (removed.Length > 0)
        {
            await PublishAsync(new RouteDelta { Epoch = _epoch, Version = ++_version, Target = target, RemovedFilters = removed });
        }
    }

    /// <summary>
    /// Pushes a delta to every replica before the change is answered, so a SUBACK means every silo routes the new
    /// filter. A replica that does not apply the delta (it was behind) is loaded with a snapshot, which holds the
    /// change, before this returns; only a replica that cannot take that either (its silo is going) is dropped, and
    /// resynchronises when it registers again.
    /// </summary>
    private async Task PublishAsync(RouteDelta delta)
    {
        RememberRemoval(delta);
        var replicas = _replicas.ToArray();
        var calls = replicas.Select(r => r.Value.ApplyAsync(delta)).ToArray();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            var snapshot = await GetSnapshotAsync();
            for (var i = 0; i < calls.Length; i++)
            {
                if (calls[i].IsFaulted)
                {
                    await ResynchroniseAsync(replicas[i].Key, replicas[i].Value, snapshot, calls[i].Exception?.GetBaseException());
                }
            }
        }
    }

    private async Task ResynchroniseAsync(string siloId, IRouteReplicaObserver replica, RouteSnapshot snapshot, Exception? applyFailure)
    {
        LogReplicaBehind(siloId, applyFailure);
        try
        {
            await replica.LoadAsync(snapshot);
        }
        catch (Exception exception)
        {
            LogReplicaFailed(siloId, exception);
            _replicas.Remove(siloId);
            await ForgetAsync(registrations.State.Replicas, siloId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route index activated here, with {Gateways} stored gateway(s), {Replicas} silo replica(s) loaded and the routes of {Sessions} offline session(s)")]
    private partial void LogActivated(int gateways, int replicas, int sessions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} registered with the route index")]
    private partial void LogGatewayRegistered(string gatewayId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {GatewayId} and its routes removed from the route index")]
    private partial void LogGatewayRemoved(string gatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {GatewayId} sent no refresh for {Expiry}: declared dead, its routes removed and its sessions taken offline")]
    private partial void LogGatewayExpired(string gatewayId, TimeSpan expiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route replica of silo {SiloId} did not apply a delta; loading it with a snapshot")]
    private partial void LogReplicaBehind(string siloId, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route replica of silo {SiloId} took neither a delta nor a snapshot; dropped until it registers again")]
    private partial void LogReplicaFailed(string siloId, Exception? exception);

    private sealed class TargetEntry(IGatewayObserver? gateway)
    {
        public IGatewayObserver? Gateway { get; set; } = gateway;

        public HashSet<string> Filters { get; } = new(StringComparer.Ordinal);
    }
}
