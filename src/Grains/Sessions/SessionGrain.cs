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
    private readonly RouteIndexReplica _routes;
    private readonly ActivationGauges<SessionGrain> _gauges;
    private readonly ILogger<SessionGrain> _logger;
    private readonly SessionQueue _queue;
    private readonly SessionListing _listing;

    private SessionPhase _phase;
    private long _epoch;
    private IGatewayObserver? _owner;
    private string? _ownerGatewayId;
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
        _routes = routes;
        _gauges = gauges;
        _logger = logger;
        _queue = new SessionQueue(this.GetPrimaryKeyString(), _options, metrics, logger);
        _listing = new SessionListing(GrainFactory, this.GetPrimaryKeyString());
    }

    private string ClientId => this.GetPrimaryKeyString();

    internal bool IsPersistent => _gaugeState?.Persistent == true;

    internal bool IsOnline => _phase != SessionPhase.Offline;

    private SessionState State => _stored.State;

    private long Now => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether the owning connection had taken the stored messages (what its hand-back means depends on it).</summary>
    private bool HasResumed => _phase is SessionPhase.Online or SessionPhase.GoingOffline;

    public async Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request)
    {
        if (_phase != SessionPhase.Offline)
        {
            if (State.Persistent)
            {
                // Queue from now on, so messages between the old connection's last delivery and the new one's
                // routes are kept (duplicates are dropped by message id).
                await SetOfflineRoutesAsync(register: true);
                StartQueueing();
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
        _phase = SessionPhase.Connecting;

        State.Will = request.Will;
        State.WillDelayInterval = request.WillDelayInterval;
        State.WillMessageExpiryInterval = request.WillMessageExpiryInterval;
        State.SessionExpiryInterval = CapExpiry(request.SessionExpiryInterval);
        State.DisconnectedAtUnixMilliseconds = null;
        if (State.SessionExpiryInterval > 0)
        {
            // Listed (or no longer due) in the registry too: owned by a connection, nothing is due.
            State.Persistent = true;
            await Task.WhenAll(_stored.WriteStateAsync(), _listing.ReportAsync(State, offline: false));
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
        var resume = _queue.TakeForResume(State);
        _phase = SessionPhase.Online;
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
        if (epoch != _epoch || _phase == SessionPhase.Offline)
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
        if (epoch != _epoch || _phase == SessionPhase.Offline || !State.Persistent)
        {
            return;
        }

        await SetOfflineRoutesAsync(register: true);
        StartQueueing();
    }

    public async Task DisconnectAsync(long epoch, SessionHandoff handoff)
    {
        if (epoch < _epoch)
        {
            // A connection that was taken over reports late; the session belongs to its successor. When the
            // takeover got its answer, these messages are in the successor's resume already; when it got none (the
            // old gateway was shutting down or gone), this is the only place they are: they go to the successor,
            // or wait for the next resume, as rescued messages do, and nothing is sent twice.
            await RescueLateHandoffAsync(epoch, handoff);
            return;
        }

        if (epoch != _epoch || _phase == SessionPhase.Offline)
        {
            // The same connection's hand-back again (a retry whose first call was stored).
            return;
        }

        var resumed = HasResumed;
        await ReleaseOwnerAsync();
        await GoOfflineAsync(handoff, resumed);
    }

    public async Task OwnerLostAsync(long epoch)
    {
        if (epoch != _epoch || _phase == SessionPhase.Offline)
        {
            return;
        }

        SessionLog.OwnerLost(_logger, ClientId, _ownerGatewayId);
        var resumed = HasResumed;
        _phase = SessionPhase.Offline;
        _owner = null;
        _ownerGatewayId = null;
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

        _phase = SessionPhase.Online;
        _epoch = State.OwnerEpoch;
        _ownerGatewayId = gatewayId;
        _owner = _routes.FindGateway(gatewayId);
        await GrainFactory.GetGrain<IGatewaySessionsGrain>(gatewayId).AddAsync(ClientId, _epoch);
        var self = this.AsReference<ISessionGrain>();
        var epoch = _epoch;
        _ownerCheck = _timeProvider.CreateTimer(_ => _ = self.ConfirmOwnerAsync(epoch), null, OwnerConfirmationDelay, Timeout.InfiniteTimeSpan);
        DelayDeactivation(OwnerConfirmationDelay + TimeSpan.FromMinutes(1));
    }

    public async Task ConfirmOwnerAsync(long epoch)
    {
        _ownerCheck?.Dispose();
        _ownerCheck = null;
        if (epoch != _epoch || _phase == SessionPhase.Offline || _ownerGatewayId is not { } gatewayId)
        {
            return;
        }

        _owner ??= _routes.FindGateway(gatewayId);
        if (_owner is null)
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

    /// <summary>The connection is ending or being replaced: the session queues from now on.</summary>
    private void StartQueueing()
    {
        if (_phase == SessionPhase.Online)
        {
            _phase = SessionPhase.GoingOffline;
        }
    }

    private void EnsureOwner(long epoch)
    {
        if (epoch != _epoch || _phase == SessionPhase.Offline)
        {
            throw new InvalidOperationException($"Session '{ClientId}' is owned by another connection now (phase {_phase}).");
        }
    }

    private async Task ReleaseOwnerAsync()
    {
        var gatewayId = _ownerGatewayId;
        _phase = SessionPhase.Offline;
        _owner = null;
        _ownerGatewayId = null;
        State.OwnerGatewayId = null;
        if (gatewayId is not null)
        {
            await GrainFactory.GetGrain<IGatewaySessionsGrain>(gatewayId).RemoveAsync(ClientId, _epoch);
        }
    }

    /// <summary>
    /// Asks the current owner to close its connection and merges what it had not finished. True when that
    /// connection had just set the session expiry to 0 in its DISCONNECT (3.14.2.2.2): the session ends with it.
    /// </summary>
    private async Task<bool> TakeOverAsync()
    {
        var resumed = HasResumed;
        SessionHandoff? handoff = null;
        try
        {
            // After a re-activation the owner is known by gateway id only; its endpoint is in the route replica.
            _owner ??= _routes.FindGateway(_ownerGatewayId!)
                ?? throw new InvalidOperationException($"Gateway {_ownerGatewayId} is not registered any more.");
            handoff = await _owner.TakeOverAsync(ClientId, _epoch).WaitAsync(TakeOverTimeout);
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

    private uint CapExpiry(uint requested) =>
        (uint)Math.Min(requested, _options.MaxSessionExpiry.TotalSeconds);
}
