using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// One activation per topic name: keeps the retained message and forwards every accepted message to the
/// destinations whose routes match — every gateway with plain subscribers, every offline persistent session, and
/// for each shared subscription group one member gateway (round-robin) — through one ordered outbox each.
/// Destinations come from the silo-local route replica and are cached until the replica changes.
/// </summary>
public sealed partial class TopicGrain(
    [PersistentState("retained", StorageNames.Broker)] IPersistentState<RetainedMessageState> retained,
    RouteIndexReplica routes,
    SiloStopping silo,
    ColocatedGateways colocated,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    private readonly Dictionary<string, RouteOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sharedCursors = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _retainedTurn = new(1, 1);
    private RouteMatch _destinations = RouteMatch.None;
    private long _destinationsVersion = -1;

    private string Topic => this.GetPrimaryKeyString();

    public async Task<PublishOutcome> PublishAsync(BrokerMessage[] messages)
    {
        var spans = RouteTracing.Start(messages, Topic, RuntimeIdentity, out messages);
        PublishOutcome outcome;
        try
        {
            outcome = await RouteAsync(messages, spans);
        }
        catch (Exception exception)
        {
            RouteTracing.Stop(spans, exception);
            throw;
        }

        RouteTracing.Stop(spans);
        return outcome;
    }

    /// <summary>
    /// Publishes interleave (see <see cref="ITopicGrain.PublishAsync"/>); those that change the retained message
    /// take turns, so the stored message and the order of their deliveries agree.
    /// </summary>
    private async Task<PublishOutcome> RouteAsync(BrokerMessage[] messages, Activity?[]? spans)
    {
        var lastRetained = Array.FindLast(messages, m => m.Retain);
        Dictionary<RouteDestination, List<GatewayDelivery>> plan;
        if (lastRetained is null)
        {
            plan = Plan(messages, spans);
            await DeliverAsync(plan, mustComplete: messages.Any(m => m.QualityOfService > 0));
            return OutcomeOf(plan);
        }

        Task delivered;
        await _retainedTurn.WaitAsync();
        try
        {
            await StoreRetainedAsync(lastRetained);

            // Matched after the retained message is stored: a subscriber whose route is not in this match yet reads
            // the retained message after it was stored, so it gets the message one way or the other.
            plan = Plan(messages, spans);
            delivered = DeliverAsync(plan, mustComplete: messages.Any(m => m.QualityOfService > 0));
        }
        finally
        {
            _retainedTurn.Release();
        }

        await delivered;
        return OutcomeOf(plan);
    }

    private static PublishOutcome OutcomeOf(Dictionary<RouteDestination, List<GatewayDelivery>> plan) =>
        plan.Count == 0 ? PublishOutcome.NoMatchingSubscribers : PublishOutcome.MatchedSubscribers;

    /// <summary>Every destination of <paramref name="messages"/>, with what each gets.</summary>
    private Dictionary<RouteDestination, List<GatewayDelivery>> Plan(BrokerMessage[] messages, Activity?[]? spans)
    {
        var match = CurrentDestinations();
        RouteTracing.Describe(spans, match);

        var plan = new Dictionary<RouteDestination, List<GatewayDelivery>>();
        foreach (var destination in match.FanOut)
        {
            plan[destination] = [.. messages.Select(m => new GatewayDelivery(m, null))];
        }

        if (match.SharedGroups.Length > 0)
        {
            foreach (var message in messages)
            {
                foreach (var group in match.SharedGroups)
                {
                    AssignShared(plan, message, group);
                }
            }
        }

        return plan;
    }

    public async Task PublishSharedAsync(string groupRoute, BrokerMessage[] messages)
    {
        var group = Array.Find(CurrentDestinations().SharedGroups, g => g.GroupRoute == groupRoute);
        if (group is null)
        {
            metrics.MessagesDropped(DropReasons.NoSharedMember, messages.Length);
            LogSharedGroupGone(Topic, groupRoute, messages.Length);
            return;
        }

        var plan = new Dictionary<RouteDestination, List<GatewayDelivery>>();
        foreach (var message in messages)
        {
            AssignShared(plan, message, group);
        }

        await DeliverAsync(plan, mustComplete: false);
    }

    /// <summary>Longer than a starting silo takes to load its route replica, short of holding publishers for long
    /// when the route index cannot be reached.</summary>
    private static readonly TimeSpan RoutesLoadWait = TimeSpan.FromSeconds(10);

    /// <summary>A topic grain activated in a silo that just joined waits until the silo knows the routes.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!routes.Loaded.IsCompleted)
        {
            await routes.Loaded.WaitAsync(RoutesLoadWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            if (!routes.Loaded.IsCompleted)
            {
                LogRoutesNotLoaded(Topic, RoutesLoadWait);
            }
        }
    }

    /// <summary>
    /// A silo stopping (rolling upgrade) deactivates its topic grains: what their outboxes still hold (QoS 0
    /// messages, which publishers are not waiting for) goes out before the activation does, bounded by the
    /// deactivation's own time limit.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var pending = _outboxes.Values.Where(o => !o.IsIdle).Select(o => o.Drained).ToArray();
        if (pending.Length > 0)
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    public Task<BrokerMessage?> GetRetainedAsync()
    {
        var message = retained.State.Message;
        if (message?.ExpiresAtUnixMilliseconds is { } expiresAt && expiresAt <= timeProvider.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return Task.FromResult<BrokerMessage?>(null);
        }

        return Task.FromResult(message);
    }

    /// <summary>Adds <paramref name="message"/> for the group's next member, merged with that member's plain delivery.</summary>
    private void AssignShared(Dictionary<RouteDestination, List<GatewayDelivery>> plan, BrokerMessage message, SharedGroupMatch group)
    {
        var cursor = _sharedCursors.GetValueOrDefault(group.GroupRoute);
        var member = group.Members[(int)((uint)cursor % (uint)group.Members.Length)];
        _sharedCursors[group.GroupRoute] = cursor + 1;

        if (!plan.TryGetValue(member, out var deliveries))
        {
            plan[member] = deliveries = [];
        }

        var index = deliveries.FindIndex(d => ReferenceEquals(d.Message, message));
        if (index < 0)
        {
            deliveries.Add(new GatewayDelivery(message, [group.GroupRoute]));
        }
        else
        {
            var existing = deliveries[index];
            deliveries[index] = existing with { SharedGroups = [.. existing.SharedGroups ?? [], group.GroupRoute] };
        }
    }

    /// <summary>
    /// Queues each destination's deliveries (synchronously, so the order of calls is the order of delivery). With
    /// QoS 1/2 messages it completes when every destination has them: each gateway has handed them to its
    /// connections, each offline session has stored them, or a gateway that could not take them has handed them to
    /// its sessions. So the publisher's PUBACK / PUBREC never precedes that, and a silo that dies or stops with a
    /// message in an outbox only fails calls that were not acknowledged yet; their publishers send them again.
    /// </summary>
    private Task DeliverAsync(Dictionary<RouteDestination, List<GatewayDelivery>> plan, bool mustComplete)
    {
        List<Task>? deliveries = null;
        foreach (var (destination, messages) in plan)
        {
            var done = GetOutbox(destination).Enqueue(messages);
            if (mustComplete)
            {
                (deliveries ??= new List<Task>(plan.Count)).Add(done);
            }
        }

        return deliveries is null ? Task.CompletedTask : Task.WhenAll(deliveries);
    }

    private RouteOutbox GetOutbox(RouteDestination destination)
    {
        // A gateway in this process is called directly; a session keeps each message once by its id, so a batch
        // sent to it again needs no number.
        var isGateway = RouteTarget.IsGateway(destination.Target, out var gatewayId);
        Func<GatewayDelivery[], DeliveryBatch, Task> send = destination.Gateway is { } gateway
            ? (isGateway ? colocated.Find(gatewayId) : null) is { } local ? local.DeliverAsync : gateway.DeliverAsync
            : (deliveries, _) => GrainReferences.Get<ISessionGrain>(GrainFactory, destination.SessionClientId!).EnqueueAsync([.. deliveries.Select(d => d.Message)]);
        if (!_outboxes.TryGetValue(destination.Target, out var outbox))
        {
            _outboxes[destination.Target] = outbox = new RouteOutbox(Topic, destination.Target, send, silo, timeProvider, metrics, logger)
            {
                Rescue = isGateway
                    ? (messages, batch) => GrainReferences.GetKept<IGatewaySessionsGrain>(GrainFactory, gatewayId).RescueAsync(messages, batch)
                    : null,
            };
        }

        outbox.Send = send;
        return outbox;
    }

    private RouteMatch CurrentDestinations()
    {
        var version = routes.ChangeCount;
        if (version != _destinationsVersion)
        {
            _destinations = routes.Match(Topic);
            _destinationsVersion = version;
            DropIdleOutboxes();
        }

        return _destinations;
    }

    private void DropIdleOutboxes()
    {
        var live = _destinations.FanOut.Select(d => d.Target)
            .Concat(_destinations.SharedGroups.SelectMany(g => g.Members).Select(d => d.Target))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (target, outbox) in _outboxes.ToArray())
        {
            if (outbox.IsIdle && !live.Contains(target))
            {
                _outboxes.Remove(target);
            }
        }
    }

    /// <summary>
    /// Sets, replaces or clears (empty payload, [MQTT-3.3.1-10]) the retained message. The index entry is added
    /// before the message is stored and removed after it is cleared, so a crash in between leaves at worst an
    /// index entry without a message, never a retained message that wildcard subscribers cannot find.
    /// </summary>
    private async Task StoreRetainedAsync(BrokerMessage message)
    {
        var index = GrainFactory.GetGrain<IRetainedIndexGrain>(RetainedIndexPartition.ForTopic(Topic));
        var hadMessage = retained.State.Message is not null;
        if (message.Payload.Length == 0)
        {
            if (!hadMessage)
            {
                return;
            }

            retained.State.Message = null;
            await retained.ClearStateAsync();
            await index.RemoveAsync(Topic);
            LogRetainedCleared(Topic);
            return;
        }

        if (!hadMessage)
        {
            await index.AddAsync(Topic);
        }

        retained.State.Message = message;
        await retained.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic '{Topic}' activated in a silo that has not loaded the routes after {Wait}; routing with what it has")]
    private partial void LogRoutesNotLoaded(string topic, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retained message on '{Topic}' cleared")]
    private partial void LogRetainedCleared(string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared group {GroupRoute} has no member left for '{Topic}'; {Count} message(s) dropped")]
    private partial void LogSharedGroupGone(string topic, string groupRoute, int count);
}
