using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// The authority for one client id. Tracks which connection owns the session (taking it over from the previous
/// one on any gateway), and for persistent sessions the subscriptions, the offline queue, unfinished QoS state,
/// the will with its delay, and expiry. While the session is offline its non-shared filters are routes in the
/// route index, so topic grains send it what it must queue.
/// </summary>
public sealed partial class SessionGrain(
    [PersistentState("session", StorageNames.Broker)] IPersistentState<SessionState> stored,
    IOptions<SessionOptions> options,
    TimeProvider timeProvider,
    RouteIndexReplica routes,
    ActivationGauges<SessionGrain> gauges,
    BrokerMetrics metrics,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private static readonly TimeSpan TakeOverTimeout = TimeSpan.FromSeconds(5);

    /// <summary>After a re-activation: time for a live gateway to be registered again (also with a route index
    /// that restarted) before its absence means it is gone.</summary>
    private static readonly TimeSpan OwnerConfirmationDelay = GatewayLiveness.Expiry * 2;

    private long _epoch;
    private IGatewayObserver? _owner;
    private string? _ownerGatewayId;
    private bool _online;
    private bool _queueing;

    /// <summary>What the last ResumeAsync gave the owning connection, until it hands back (see MergeHandoff).</summary>
    private SessionResume? _handedOut;

    /// <summary>Whether the owning connection took the stored state (ResumeAsync) yet.</summary>
    private bool _resumed;
    private HashSet<Guid>? _queuedIds;
    /// <summary>The longest single wait of the session's timer (see <see cref="ScheduleTimer"/>).</summary>
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(7);

    private ITimer? _timer;
    private ITimer? _ownerCheck;

    private string ClientId => this.GetPrimaryKeyString();

    /// <summary>The state object as last set, for the gauges: they read off the grain's scheduler, where the
    /// persistent state's accessor is not to be used (single values, a moment stale at worst).</summary>
    private SessionState? _gaugeState;

    internal bool IsPersistent => _gaugeState?.Persistent == true;

    internal bool IsOnline => _online;

    internal int QueuedCount => _gaugeState?.Queue.Count ?? 0;

    private SessionState State => stored.State;

    private long Now => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request)
    {
        if (_online)
        {
            if (State.Persistent)
            {
                // Queue from now on, so messages between the old connection's last delivery and the new one's
                // routes are kept (duplicates are dropped by message id).
                await SetOfflineRoutesAsync(register: true);
                _queueing = true;
            }

            var endedWithConnection = await TakeOverAsync();
            if (State.Persistent && endedWithConnection)
            {
                await EndSessionAsync(publishPendingWill: false);
            }
            else if (!State.Persistent)
            {
                // The old session lasted as long as its network connection and ended with it: nothing of it is
                // reused, even with clean start 0 [MQTT-3.1.2-6] (5.0: session expiry 0, 3.1.2.11.2).
                ResetState();
            }
        }

        if (State.Persistent && State.ExpiresAtUnixMilliseconds <= Now)
        {
            await EndSessionAsync(publishPendingWill: true);
        }

        var sessionPresent = false;
        if (request.CleanStart)
        {
            // [MQTT-3.1.2-4]: clean start discards the session; a will still waiting for its delay goes out, as
            // the old session ends here.
            if (State.Persistent)
            {
                await EndSessionAsync(publishPendingWill: true);
            }

            ResetState();
        }
        else if (State.Persistent)
        {
            sessionPresent = true;
            // The client is back within the will delay: no will [MQTT-3.1.3-9].
            State.WillDueAtUnixMilliseconds = null;
        }

        _epoch = Math.Max(_epoch + 1, Now * 1000);
        _owner = request.Gateway;
        _ownerGatewayId = request.GatewayId;
        State.OwnerGatewayId = request.GatewayId;
        State.OwnerEpoch = _epoch;
        await GrainFactory.GetGrain<IGatewaySessionsGrain>(request.GatewayId).AddAsync(ClientId, _epoch);
        _online = true;
        _queueing = true;
        _resumed = false;
        CancelTimer();

        State.Will = request.Will;
        State.WillDelayInterval = request.WillDelayInterval;
        State.WillMessageExpiryInterval = request.WillMessageExpiryInterval;
        State.SessionExpiryInterval = CapExpiry(request.SessionExpiryInterval);
        State.DisconnectedAtUnixMilliseconds = null;
        if (State.SessionExpiryInterval > 0)
        {
            var newlyPersistent = !State.Persistent;
            State.Persistent = true;
            await stored.WriteStateAsync();
            if (newlyPersistent)
            {
                await Registry.AddAsync(ClientId);
            }
        }

        return new SessionConnectResult
        {
            Epoch = _epoch,
            SessionPresent = sessionPresent,
            Subscriptions = [.. State.Subscriptions.Values],
        };
    }

    public async Task<SessionResume> ResumeAsync(long epoch)
    {
        EnsureOwner(epoch);
        await SetOfflineRoutesAsync(register: false);
        var resume = new SessionResume
        {
            Inflight = [.. State.Inflight],
            Queued = [.. State.Queue],
            InboundQos2 = [.. State.InboundQos2],
        };
        State.Inflight.Clear();
        State.Queue.Clear();
        State.InboundQos2.Clear();
        _queuedIds = null;
        _queueing = false;
        _resumed = true;
        _handedOut = resume;
        var dropped = State.DroppedMessages;
        if (dropped > 0)
        {
            // The full count of this offline period; while queueing only the first and every 1000th drop is logged.
            LogDroppedWhileOffline(ClientId, dropped, options.Value.MaxQueuedMessages);
            State.DroppedMessages = 0;
        }

        if (State.Persistent && (resume.Inflight.Length + resume.Queued.Length + resume.InboundQos2.Length + dropped) > 0)
        {
            await stored.WriteStateAsync();
        }

        return resume;
    }

    public async Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed)
    {
        if (epoch != _epoch || !_online)
        {
            return;
        }

        foreach (var subscription in upserted)
        {
            State.Subscriptions[subscription.Filter] = subscription;
        }

        foreach (var filter in removed)
        {
            State.Subscriptions.Remove(filter);
        }

        if (State.Persistent)
        {
            await stored.WriteStateAsync();
        }
    }

    public async Task GoingOfflineAsync(long epoch)
    {
        if (epoch != _epoch || !_online || !State.Persistent)
        {
            return;
        }

        await SetOfflineRoutesAsync(register: true);
        _queueing = true;
    }

    public async Task DisconnectAsync(long epoch, SessionHandoff handoff)
    {
        if (epoch != _epoch || !_online)
        {
            // A connection that was taken over reports late; the session belongs to its successor.
            return;
        }

        await ReleaseOwnerAsync();
        _queueing = true;
        await GoOfflineAsync(handoff);
    }

    public async Task OwnerLostAsync(long epoch)
    {
        if (epoch != _epoch || !_online)
        {
            return;
        }

        LogOwnerLost(ClientId, _ownerGatewayId);
        _online = false;
        _owner = null;
        _ownerGatewayId = null;
        State.OwnerGatewayId = null;
        _queueing = true;
        await GoOfflineAsync(new SessionHandoff { Kind = DisconnectKind.Lost });
    }

    private async Task ReleaseOwnerAsync()
    {
        var gatewayId = _ownerGatewayId;
        _online = false;
        _owner = null;
        _ownerGatewayId = null;
        State.OwnerGatewayId = null;
        if (gatewayId is not null)
        {
            await GrainFactory.GetGrain<IGatewaySessionsGrain>(gatewayId).RemoveAsync(ClientId, _epoch);
        }
    }

    public Task EnqueueAsync(BrokerMessage[] messages) =>
        !State.Persistent || (_online && !_queueing)
            ? Task.CompletedTask // Not (or no longer) offline: the live connection's own routes deliver these.
            : QueueAsync(messages, enforceLimit: !_online);

    public async Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch)
    {
        if (!State.Persistent)
        {
            return;
        }

        // Online: the connection serving the session now gets them, whether it is the one they were for (its gateway
        // may have taken the delivery after all, and then skips them) or a newer one.
        if (_online && !_queueing && await DeliverToConnectionAsync(messages, epoch == _epoch ? batch : null))
        {
            return;
        }

        // The connection they were for cannot be reached (its gateway most likely died): the next resume, by
        // takeover elsewhere or after the gateway is declared dead, sends them.
        LogRescued(ClientId, messages.Length);
        await QueueAsync(messages, enforceLimit: true);
    }

    /// <summary>
    /// Hands rescued messages to the connection that serves the session now, except those it received with its
    /// resume (its gateway also skips a <paramref name="batch"/> it took, and messages it delivered live just after
    /// a resume). False when it could not be reached; the session keeps them then.
    /// </summary>
    private async Task<bool> DeliverToConnectionAsync(BrokerMessage[] messages, DeliveryBatch? batch)
    {
        var handedOut = _handedOut is { } resume
            ? resume.Queued.Concat(resume.Inflight).Select(m => m.Message.MessageId).ToHashSet()
            : [];
        var missing = messages
            .Where(m => m.QualityOfService > 0 && !handedOut.Contains(m.MessageId))
            .Select(m => SessionMessageMatcher.Match(ClientId, State.Subscriptions.Values, m))
            .OfType<OutboundMessage>()
            .Where(m => m.QualityOfService > 0)
            .ToArray();
        if (missing.Length == 0)
        {
            return true;
        }

        try
        {
            _owner ??= routes.FindGateway(_ownerGatewayId!);
            if (_owner is not null && await _owner.DeliverRescuedAsync(ClientId, _epoch, missing, batch).WaitAsync(TakeOverTimeout))
            {
                LogRescuedToConnection(ClientId, missing.Length);
                return true;
            }
        }
        catch (Exception exception)
        {
            LogRescueToConnectionFailed(ClientId, exception);
        }

        return false;
    }

    private async Task QueueAsync(BrokerMessage[] messages, bool enforceLimit)
    {
        var queuedIds = QueuedIds();

        var now = Now;
        var changed = false;
        foreach (var message in messages)
        {
            if (message.ExpiresAtUnixMilliseconds <= now ||
                (message.MessageId != Guid.Empty && queuedIds.Contains(message.MessageId)) ||
                SessionMessageMatcher.Match(ClientId, State.Subscriptions.Values, message) is not { } queued ||
                (queued.QualityOfService == 0 && !options.Value.QueueQos0Messages))
            {
                continue;
            }

            if (enforceLimit && State.Queue.Count >= options.Value.MaxQueuedMessages)
            {
                // Policy: keep the oldest, drop the newest (as Mosquitto does), and count it. Only while the client
                // is away: while a connection is taking the session over the queue is about to drain to it.
                State.DroppedMessages++;
                metrics.MessagesDropped(DropReasons.OfflineQueueFull);
                changed = true;
                if (State.DroppedMessages == 1 || State.DroppedMessages % 1000 == 0)
                {
                    LogQueueFull(ClientId, options.Value.MaxQueuedMessages, State.DroppedMessages);
                }

                continue;
            }

            State.Queue.Add(queued);
            queuedIds.Add(message.MessageId);
            changed = true;
        }

        if (changed)
        {
            await stored.WriteStateAsync();
        }
    }

    public async Task WakeAsync()
    {
        if (!State.Persistent)
        {
            await Registry.RemoveAsync(ClientId);
            return;
        }

        if (_online)
        {
            return;
        }

        State.DisconnectedAtUnixMilliseconds ??= Now;
        if (await CheckTimersCoreAsync())
        {
            return;
        }

        State.OfflineRoutesRegistered = false;
        await SetOfflineRoutesAsync(register: true);
        ScheduleTimer();
    }

    public async Task CheckTimersAsync()
    {
        if (!_online && !await CheckTimersCoreAsync())
        {
            ScheduleTimer();
        }
    }

    /// <summary>
    /// A persistent session stored as online was re-activated (its silo restarted, or it was moved) while its
    /// client may still be connected: it goes on serving that connection rather than queueing beside it (which
    /// would deliver everything twice), tells the gateway's registry again (it may have restarted too), and checks
    /// later that the gateway is still registered, or treats the connection as lost.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _gaugeState = State;
        gauges.Track(this);
        if (!State.Persistent || State.OwnerGatewayId is not { } gatewayId)
        {
            return;
        }

        _online = true;
        _resumed = true;
        _queueing = false;
        _epoch = State.OwnerEpoch;
        _ownerGatewayId = gatewayId;
        _owner = routes.FindGateway(gatewayId);
        await GrainFactory.GetGrain<IGatewaySessionsGrain>(gatewayId).AddAsync(ClientId, _epoch);
        var self = this.AsReference<ISessionGrain>();
        var epoch = _epoch;
        _ownerCheck = timeProvider.CreateTimer(_ => _ = self.ConfirmOwnerAsync(epoch), null, OwnerConfirmationDelay, Timeout.InfiniteTimeSpan);
        DelayDeactivation(OwnerConfirmationDelay + TimeSpan.FromMinutes(1));
    }

    public async Task ConfirmOwnerAsync(long epoch)
    {
        _ownerCheck?.Dispose();
        _ownerCheck = null;
        if (epoch != _epoch || !_online || _ownerGatewayId is not { } gatewayId)
        {
            return;
        }

        _owner ??= routes.FindGateway(gatewayId);
        if (_owner is null)
        {
            await OwnerLostAsync(epoch);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        gauges.Untrack(this);
        CancelTimer();
        _ownerCheck?.Dispose();
        return Task.CompletedTask;
    }

    private ISessionRegistryGrain Registry => GrainFactory.GetGrain<ISessionRegistryGrain>(ISessionRegistryGrain.Partition(ClientId));

    private void EnsureOwner(long epoch)
    {
        if (epoch != _epoch || !_online)
        {
            throw new InvalidOperationException($"Session '{ClientId}' is owned by another connection now.");
        }
    }

    private uint CapExpiry(uint requested) =>
        (uint)Math.Min(requested, options.Value.MaxSessionExpiry.TotalSeconds);

    /// <summary>
    /// Asks the current owner to close its connection and merges what it had not finished. True when that
    /// connection had just set the session expiry to 0 in its DISCONNECT (3.14.2.2.2): the session ends with it.
    /// </summary>
    private async Task<bool> TakeOverAsync()
    {
        SessionHandoff? handoff = null;
        try
        {
            // After a re-activation the owner is known by gateway id only; its endpoint is in the route replica.
            _owner ??= routes.FindGateway(_ownerGatewayId!)
                ?? throw new InvalidOperationException($"Gateway {_ownerGatewayId} is not registered any more.");
            handoff = await _owner.TakeOverAsync(ClientId, _epoch).WaitAsync(TakeOverTimeout);
        }
        catch (Exception exception)
        {
            LogTakeOverFailed(ClientId, exception);
        }

        await ReleaseOwnerAsync();
        if (handoff is not null)
        {
            MergeHandoff(handoff);
        }

        // The old connection is closed by the server (or had just asked for its will, 0x04): with no will delay,
        // or when its session ends now, its will goes out. A DISCONNECT 0x00 it had just sent discards the will
        // [MQTT-3.14.4-3].
        var sessionEnds = handoff?.SessionExpiryInterval == 0;
        var willWanted = handoff?.Kind is null or DisconnectKind.Lost or DisconnectKind.WithWill;
        if (willWanted && State.Will is not null && (State.WillDelayInterval == 0 || sessionEnds))
        {
            await PublishWillAsync();
        }

        State.Will = null;
        return sessionEnds;
    }

    private async Task GoOfflineAsync(SessionHandoff handoff)
    {
        MergeHandoff(handoff);
        if (handoff.SessionExpiryInterval is { } expiry)
        {
            State.SessionExpiryInterval = CapExpiry(expiry);
        }

        var willPending = handoff.Kind is DisconnectKind.Lost or DisconnectKind.WithWill && State.Will is not null;
        if (!willPending)
        {
            State.Will = null;
        }

        if (State.SessionExpiryInterval == 0)
        {
            // The session ends with the connection [MQTT-3.1.2-23]: its will goes now, whatever its delay.
            await EndSessionAsync(publishPendingWill: willPending);
            DeactivateOnIdle();
            return;
        }

        State.DisconnectedAtUnixMilliseconds = Now;
        var publishWillNow = willPending && State.WillDelayInterval == 0;
        if (willPending && !publishWillNow)
        {
            var delay = Math.Min(State.WillDelayInterval, State.SessionExpiryInterval);
            State.WillDueAtUnixMilliseconds = Now + (delay * 1000L);
        }

        // Queue first, then announce: whoever reacts to the will by publishing to this client must find the
        // session already queueing.
        var newlyPersistent = !State.Persistent;
        State.Persistent = true;
        State.OfflineRoutesRegistered = false;
        await SetOfflineRoutesAsync(register: true);
        await stored.WriteStateAsync();
        if (newlyPersistent)
        {
            await Registry.AddAsync(ClientId);
        }

        if (publishWillNow)
        {
            await PublishWillAsync();
            await stored.WriteStateAsync();
        }

        ScheduleTimer();
    }

    /// <summary>
    /// Takes the unfinished state of a connection that ended. What it had pending goes before what the session
    /// queued meanwhile (it arrived first); a message that reached both is kept once. A connection that ended
    /// before it took the stored state (taken over or dropped while restoring) never sent any of it: the stored
    /// unacknowledged messages, queue and inbound QoS 2 ids stay, and what it held back comes after them.
    /// </summary>
    private void MergeHandoff(SessionHandoff handoff)
    {
        var (inflight, older, newer, inboundQos2) = (_resumed, handoff.ResumeApplied, _handedOut) switch
        {
            // The connection was given the stored messages but never took them in (taken over or closed while
            // restoring): they go back first, then what the connection did get.
            (true, false, { } handedOut) => (
                (OutboundMessage[])[.. handedOut.Inflight, .. handoff.Inflight],
                (OutboundMessage[])[.. handedOut.Queued, .. handoff.Pending],
                State.Queue.ToArray(),
                (ushort[])[.. handedOut.InboundQos2.Union(handoff.InboundQos2)]),
            (true, _, _) => (handoff.Inflight, handoff.Pending, State.Queue.ToArray(), handoff.InboundQos2),
            _ => ([.. State.Inflight, .. handoff.Inflight], State.Queue.ToArray(), handoff.Pending, [.. State.InboundQos2.Union(handoff.InboundQos2)]),
        };
        _handedOut = null;

        var seen = new HashSet<Guid>(inflight.Select(m => m.Message.MessageId));
        var merged = new List<OutboundMessage>(older.Length + newer.Length);
        foreach (var message in older.Concat(newer))
        {
            if (message.Message.MessageId == Guid.Empty || seen.Add(message.Message.MessageId))
            {
                merged.Add(message);
            }
        }

        State.Inflight = [.. inflight];
        State.Queue = merged;
        State.InboundQos2 = [.. inboundQos2];
        _queuedIds = null;
        _resumed = false;
    }

    private HashSet<Guid> QueuedIds() =>
        _queuedIds ??= [.. State.Queue.Select(m => m.Message.MessageId).Concat(State.Inflight.Select(m => m.Message.MessageId))];

    /// <summary>Publishes a due will and ends an expired session. True when the session ended.</summary>
    private async Task<bool> CheckTimersCoreAsync()
    {
        var now = Now;
        if (State.WillDueAtUnixMilliseconds <= now && State.Will is not null)
        {
            await PublishWillAsync();
            await stored.WriteStateAsync();
        }

        if (State.ExpiresAtUnixMilliseconds <= now)
        {
            LogExpired(ClientId, State.SessionExpiryInterval);
            await EndSessionAsync(publishPendingWill: true);
            DeactivateOnIdle();
            return true;
        }

        return false;
    }

    private void ScheduleTimer()
    {
        CancelTimer();
        var next = new[] { State.WillDueAtUnixMilliseconds, State.ExpiresAtUnixMilliseconds }.Where(t => t is not null).Min();
        if (next is null)
        {
            return;
        }

        // A .NET timer waits at most about 49.7 days; MQTT 5 expiries go up to 136 years (3.1.2.11.2) and
        // Mosquitto's persistent clients never expire. Longer waits are taken in steps: the timer fires, finds
        // nothing due yet and is set again.
        var due = TimeSpan.FromMilliseconds(Math.Clamp(next.Value - Now, 0, (long)MaxTimerStep.TotalMilliseconds));
        var self = this.AsReference<ISessionGrain>();
        _timer = timeProvider.CreateTimer(_ => _ = self.CheckTimersAsync(), null, due, Timeout.InfiniteTimeSpan);

        // Stay in memory until the timer fires; idle collection would lose it.
        DelayDeactivation(due + TimeSpan.FromMinutes(1));
    }

    private void CancelTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task PublishWillAsync()
    {
        var will = State.Will!;
        State.Will = null;
        State.WillDueAtUnixMilliseconds = null;
        var message = will with
        {
            MessageId = Guid.NewGuid(),
            ExpiresAtUnixMilliseconds = State.WillMessageExpiryInterval == 0 ? null : Now + (State.WillMessageExpiryInterval * 1000L),
        };
        try
        {
            // The will may match this session's own offline route; let that call come back into this grain.
            using var reentrancy = RequestContext.AllowCallChainReentrancy();
            await GrainFactory.GetGrain<ITopicGrain>(message.Topic).PublishAsync([message]);
            LogWillPublished(ClientId, message.Topic);
        }
        catch (Exception exception)
        {
            LogWillFailed(ClientId, message.Topic, exception);
        }
    }

    /// <summary>Ends the session: optional will, routes and registry entry removed, stored state deleted.</summary>
    private async Task EndSessionAsync(bool publishPendingWill)
    {
        await SetOfflineRoutesAsync(register: false);
        if (publishPendingWill && State.Will is not null && !_online)
        {
            await PublishWillAsync();
        }

        if (State.Persistent)
        {
            await stored.ClearStateAsync();
            await Registry.RemoveAsync(ClientId);
        }

        ResetState();
        CancelTimer();
    }

    private void ResetState()
    {
        stored.State = new SessionState();
        _gaugeState = stored.State;
        _queuedIds = null;
    }

    /// <summary>Registers (offline) or removes (online, ended) the session's non-shared filters as routes.</summary>
    private async Task SetOfflineRoutesAsync(bool register)
    {
        var filters = register
            ? State.Subscriptions.Keys.Where(f => !f.StartsWith("$share/", StringComparison.Ordinal)).ToArray()
            : [];
        if (!register && !State.OfflineRoutesRegistered)
        {
            return;
        }

        await GrainFactory.GetGrain<IRouteIndexGrain>(0).SetSessionRoutesAsync(ClientId, filters);
        State.OfflineRoutesRegistered = filters.Length > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': the previous connection did not hand over in time; continuing from the stored session")]
    private partial void LogTakeOverFailed(string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': its gateway {GatewayId} was declared dead; the session is offline now")]
    private partial void LogOwnerLost(string clientId, string? gatewayId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}': {Count} message(s) could not reach its connection's gateway; kept for its next resume")]
    private partial void LogRescued(string clientId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}': {Count} message(s) whose delivery failed were handed to its current connection")]
    private partial void LogRescuedToConnection(string clientId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': messages whose delivery failed could not be handed to its current connection either; kept for its next resume")]
    private partial void LogRescueToConnectionFailed(string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offline queue of '{ClientId}' is full ({Limit} messages): dropping new messages, {Dropped} so far")]
    private partial void LogQueueFull(string clientId, int limit, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}' resumed; {Dropped} message(s) were dropped while it was offline because its queue was full ({Limit} messages)")]
    private partial void LogDroppedWhileOffline(string clientId, long dropped, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}' expired after {Expiry}s offline; its state is removed")]
    private partial void LogExpired(string clientId, uint expiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Will of '{ClientId}' published to '{Topic}'")]
    private partial void LogWillPublished(string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Will of '{ClientId}' to '{Topic}' could not be published")]
    private partial void LogWillFailed(string clientId, string topic, Exception exception);
}
