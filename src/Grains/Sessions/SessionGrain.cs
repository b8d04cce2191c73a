using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// The authority for one client id. This part owns the session's ownership: which connection holds it (taking it
/// over from the previous one on any gateway), its epoch and <see cref="SessionPhase"/>, and re-activation. The
/// stored messages are <see cref="SessionQueue"/>'s (delivery in <c>SessionGrain.Delivery.cs</c>); will, expiry and
/// the end of the session are in <c>SessionGrain.Lifetime.cs</c>. While a persistent session is offline its
/// non-shared filters are routes in the route index, so topic grains send it what it must queue.
/// </summary>
public sealed partial class SessionGrain : Grain, ISessionGrain
{
    private static readonly TimeSpan TakeOverTimeout = Topics.DeliveryBudget.RescueBound;

    /// <summary>After a re-activation: time for a live gateway to be registered again (also with a route index
    /// that restarted) before its absence means it is gone.</summary>
    private static readonly TimeSpan OwnerConfirmationDelay = GatewayLiveness.Expiry * 2;

    private readonly IPersistentState<SessionState> _stored;
    private readonly SessionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ActivationGauges<SessionGrain> _gauges;
    private readonly ILogger<SessionGrain> _logger;
    private readonly SessionQueue _queue;
    private readonly SessionListing _listing;

    private readonly SessionOwnership _ownership;
    private ITimer? _ownerCheck;

    /// <summary>The state object as last set, for the gauges: they read off the grain's scheduler, where the
    /// persistent state's accessor is not to be used (single values, a moment stale at worst).</summary>
    private SessionState? _gaugeState;

    public SessionGrain(
        [PersistentState("session", StorageNames.Broker)] IPersistentState<SessionState> stored,
        IOptions<SessionOptions> options,
        TimeProvider timeProvider,
        RouteIndexReplica routes,
        ActivationGauges<SessionGrain> gauges,
        BrokerMetrics metrics,
        ILogger<SessionGrain> logger)
    {
        _stored = stored;
        _options = options.Value;
        _timeProvider = timeProvider;
        _gauges = gauges;
        _logger = logger;
        _queue = new SessionQueue(this.GetPrimaryKeyString(), _options, metrics, logger);
        _listing = new SessionListing(GrainFactory, this.GetPrimaryKeyString());
        _ownership = new SessionOwnership(routes);
    }

    private string ClientId => this.GetPrimaryKeyString();

    internal bool IsPersistent => _gaugeState?.Persistent == true;

    internal bool IsOnline => _ownership.IsOnline;

    private SessionState State => _stored.State;

    private long Now => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request)
    {
        if (_ownership.IsOnline)
        {
            if (State.Persistent)
            {
                // Queue from now on, so messages between the old connection's last delivery and the new one's
                // routes are kept (duplicates are dropped by message id).
                await SetOfflineRoutesAsync(register: true);
                _ownership.StartQueueing();
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

        var epoch = _ownership.Claim(request.GatewayId, request.Gateway, Now);
        State.OwnerGatewayId = request.GatewayId;
        State.OwnerEpoch = epoch;
        await GrainReferences.GetKept<IGatewaySessionsGrain>(GrainFactory, request.GatewayId).AddAsync(ClientId, epoch);

        State.Will = request.Will;
        State.WillDelayInterval = request.WillDelayInterval;
        State.WillMessageExpiryInterval = request.WillMessageExpiryInterval;
        State.SessionExpiryInterval = _options.CapExpiry(request.SessionExpiryInterval);
        State.DisconnectedAtUnixMilliseconds = null;
        if (State.SessionExpiryInterval > 0)
        {
            // Listed (or no longer due) in the registry too: owned by a connection, nothing is due.
            State.Persistent = true;
            await Task.WhenAll(_stored.WriteStateAsync(), _listing.ReportAsync(State, offline: false));
        }

        return new SessionConnectResult
        {
            Epoch = epoch,
            SessionPresent = sessionPresent,
            Subscriptions = [.. State.Subscriptions.Values],

            // A session that lasts as long as this connection and had nothing before it: its queue and in-flight
            // messages are empty (reset above, or never stored), so its resume is only the step to Online.
            NothingToResume = _ownership.ResumedUnlessStored(State.SessionExpiryInterval == 0 && !sessionPresent),
        };
    }

    public async Task<SessionResume> ResumeAsync(long epoch)
    {
        _ownership.EnsureHolds(epoch, ClientId);
        await SetOfflineRoutesAsync(register: false);
        var resume = _queue.TakeForResume(State);
        _ownership.Resumed();
        var dropped = State.DroppedMessages;
        if (dropped > 0)
        {
            // The full count of this offline period; while queueing only the first and every 1000th drop is logged.
            SessionLog.DroppedWhileOffline(_logger, ClientId, dropped, _options.MaxQueuedMessages);
            State.DroppedMessages = 0;
        }

        if (State.Persistent && (resume.Inflight.Length + resume.Queued.Length + resume.InboundQos2.Length + dropped) > 0)
        {
            await _stored.WriteStateAsync();
        }

        return resume;
    }

    public async Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed)
    {
        if (!_ownership.Holds(epoch))
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
            await _stored.WriteStateAsync();
        }
    }

    public async Task GoingOfflineAsync(long epoch)
    {
        if (!_ownership.Holds(epoch) || !State.Persistent)
        {
            return;
        }

        await SetOfflineRoutesAsync(register: true);
        _ownership.StartQueueing();
    }

    public async Task DisconnectAsync(long epoch, SessionHandoff handoff)
    {
        if (epoch < _ownership.Epoch)
        {
            // A connection that was taken over reports late; the session belongs to its successor. When the
            // takeover got its answer, these messages are in the successor's resume already; when it got none (the
            // old gateway was shutting down or gone), this is the only place they are: they go to the successor,
            // or wait for the next resume, as rescued messages do, and nothing is sent twice.
            await RescueLateHandoffAsync(epoch, handoff);
            return;
        }

        if (!_ownership.Holds(epoch))
        {
            // The same connection's hand-back again (a retry whose first call was stored).
            return;
        }

        var resumed = _ownership.HasResumed;
        await ReleaseOwnerAsync();
        await GoOfflineAsync(handoff, resumed);
    }

    public async Task OwnerLostAsync(long epoch)
    {
        if (!_ownership.Holds(epoch))
        {
            return;
        }

        SessionLog.OwnerLost(_logger, ClientId, _ownership.GatewayId);
        var resumed = _ownership.HasResumed;
        _ownership.Release();
        State.OwnerGatewayId = null;
        await GoOfflineAsync(new SessionHandoff { Kind = DisconnectKind.Lost }, resumed);
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
        _gauges.Track(this);
        if (!State.Persistent || State.OwnerGatewayId is not { } gatewayId)
        {
            return;
        }

        var epoch = State.OwnerEpoch;
        _ownership.Restore(gatewayId, epoch);
        await GrainReferences.GetKept<IGatewaySessionsGrain>(GrainFactory, gatewayId).AddAsync(ClientId, epoch);
        var self = this.AsReference<ISessionGrain>();
        _ownerCheck = _timeProvider.CreateTimer(_ => _ = self.ConfirmOwnerAsync(epoch), null, OwnerConfirmationDelay, Timeout.InfiniteTimeSpan);
        DelayDeactivation(OwnerConfirmationDelay + TimeSpan.FromMinutes(1));
    }

    public async Task ConfirmOwnerAsync(long epoch)
    {
        _ownerCheck?.Dispose();
        _ownerCheck = null;
        if (!_ownership.Holds(epoch))
        {
            return;
        }

        if (_ownership.Gateway is null)
        {
            await OwnerLostAsync(epoch);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _gauges.Untrack(this);
        _ownerCheck?.Dispose();
        return Task.CompletedTask;
    }

    private async Task ReleaseOwnerAsync()
    {
        var gatewayId = _ownership.Release();
        State.OwnerGatewayId = null;
        if (gatewayId is not null)
        {
            await GrainReferences.GetKept<IGatewaySessionsGrain>(GrainFactory, gatewayId).RemoveAsync(ClientId, _ownership.Epoch);
        }
    }

    /// <summary>
    /// Asks the current owner to close its connection and merges what it had not finished. True when that
    /// connection had just set the session expiry to 0 in its DISCONNECT (3.14.2.2.2): the session ends with it.
    /// </summary>
    private async Task<bool> TakeOverAsync()
    {
        var resumed = _ownership.HasResumed;
        SessionHandoff? handoff = null;
        try
        {
            var owner = _ownership.Gateway
                ?? throw new InvalidOperationException($"Gateway {_ownership.GatewayId} is not registered any more.");
            handoff = await owner.TakeOverAsync(ClientId, _ownership.Epoch).WaitAsync(TakeOverTimeout);
        }
        catch (Exception exception)
        {
            SessionLog.TakeOverFailed(_logger, ClientId, exception);
        }

        await ReleaseOwnerAsync();

        // A connection that did not answer hands nothing back: what its resume gave it is restored, as when its
        // gateway is declared dead (delivery.md A.8 problem 4).
        _queue.Merge(State, handoff ?? new SessionHandoff { Kind = DisconnectKind.Lost }, resumed);

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
}
