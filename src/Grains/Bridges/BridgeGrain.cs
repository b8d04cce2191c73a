using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using Orleans.Concurrency;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// One bridge (see <see cref="IBridgeGrain"/>). Towards the cluster it is a gateway: it registers itself with the
/// route index under <see cref="GatewayId"/> for the local side of its outgoing topics, and topic grains deliver to
/// it. Towards the remote it is an MQTT client (<see cref="BridgeConnection"/>). QoS 1/2 messages for the remote
/// are stored before a delivery is acknowledged and leave storage when the remote acknowledged them, so they survive
/// an outage of the remote and a restart of this broker.
/// </summary>
/// <remarks>Reentrant: deliveries, the connection loop and storage writes interleave on the grain's scheduler,
/// with at most one storage write in flight (later changes ride on the next one).</remarks>
[Reentrant]
public sealed partial class BridgeGrain(
    [PersistentState("bridge", StorageNames.Broker)] IPersistentState<BridgeState> state,
    BridgeActivations activations,
    IGrainFactory grainFactory,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger<BridgeGrain> logger) : Grain, IBridgeGrain, IGatewayObserver
{
    private readonly BridgeOutbox _outbox = new();
    private readonly BridgeBatches _batches = new();
    private BridgeIncomingSession _incoming = new([]);

    // Every silo's keeper calls StartAsync; calls interleave (reentrant), and two must not both start a connection.
    private readonly SemaphoreSlim _starting = new(1, 1);
    private BridgeOptions? _options;
    private BridgeRoutes? _routes;
    private BridgeConnection? _connection;
    private CancellationTokenSource? _stopping;
    private Task _running = Task.CompletedTask;
    private IGrainTimer? _refresh;
    private BridgeStateWriter? _writer;
    private string _localClientId = "";
    private BridgeLocalPublisher? _local;
    private bool _queueFullReported;
    private long _dropped;

    /// <summary>The bridge's name in the route index, apart from every gateway's.</summary>
    public string GatewayId => $"bridge:{Name}";

    /// <summary>Messages waiting for the remote, for the queue-depth gauge.</summary>
    public int Queued => _outbox.Count;

    /// <summary>For the gauges (read outside the activation; a moment stale is fine).</summary>
    public bool Connected => _connection?.Connected ?? false;

    public long Sent => _connection?.Sent ?? 0;

    public long Received => _local?.Received ?? 0;

    /// <summary>The grain's key, kept in a field: the gauges read it outside the activation.</summary>
    public string Name { get; private set; } = "";

    private IRouteIndexGrain RouteIndex => GrainFactory.GetGrain<IRouteIndexGrain>(0);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Name = this.GetPrimaryKeyString();
        activations.Track(this);
        if (state.State.Options is { EffectiveLocalCleanSession: true } && state.State.Queue.Count > 0)
        {
            // local_cleansession: the bridge's local session starts empty, as Mosquitto's does at start.
            LogQueueCleared(Name, state.State.Queue.Count);
            state.State.Queue = [];
            await state.WriteStateAsync();
        }

        _incoming = new BridgeIncomingSession(state.State.IncomingAwaitingRelease);

        // Also for a stopped bridge (no options): its queue waits in memory for a StartAsync, which writes it back.
        foreach (var message in state.State.Queue)
        {
            _outbox.Enqueue(message);
        }

        if (state.State.Options is { } options)
        {
            await ApplyAsync(options);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        activations.Untrack(this);
        await StopConnectionAsync();
        if (_options is not null)
        {
            await PersistAsync();
        }
    }

    public async Task StartAsync(BridgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _starting.WaitAsync();
        try
        {
            if (_options is not null && BridgeOptionsComparer.Same(_options, options))
            {
                return;
            }

            state.State.Options = options;
            await PersistAsync();
            await ApplyAsync(options);
        }
        finally
        {
            _starting.Release();
        }
    }

    public async Task StopAsync()
    {
        await _starting.WaitAsync();
        try
        {
            if (_options is null)
            {
                return;
            }

            await StopConnectionAsync();
            _refresh?.Dispose();
            _refresh = null;
            await RouteIndex.UnregisterGatewayAsync(GatewayId);
            (_options, _routes, _connection) = (null, null, null);
            state.State.Options = null;
            await PersistAsync();
            LogStopped(Name, _outbox.ReliableCount);
            DeactivateOnIdle();
        }
        finally
        {
            _starting.Release();
        }
    }

    public Task<BridgeStatus> GetStatusAsync() => Task.FromResult(new BridgeStatus
    {
        Name = Name,
        Connected = _connection?.Connected ?? false,
        Address = _connection?.Address,
        Queued = _outbox.Count,
        Sent = _connection?.Sent ?? 0,
        Received = Received,
        Dropped = _dropped,
        Silo = RuntimeIdentity,
        Running = _options is not null,
    });

    public async Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch)
    {
        if (_options is not { } options || _routes is not { } routes || !_batches.TryTake(batch))
        {
            return;
        }

        var connected = _connection?.Connected ?? false;
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = false;
        foreach (var message in deliveries.Select(d => d.Message))
        {
            // What the bridge brought in does not go back out (loop prevention, like no-local) [MQTT-3.8.3-3].
            if (message.PublisherClientId == _localClientId
                || !routes.TryOutgoing(message.Topic, message.QualityOfService, out var remoteTopic, out var qos))
            {
                continue;
            }

            if (message.ExpiresAtUnixMilliseconds <= now)
            {
                Drop(DropReasons.Expired);
            }
            else if (qos == 0 && !connected)
            {
                Drop(DropReasons.BridgeOffline);
            }
            else if (qos > 0 && _outbox.ReliableCount >= options.MaxQueuedMessages)
            {
                Drop(DropReasons.BridgeQueueFull);
                // Once per overflow, not per message: the metric counts each drop.
                if (!_queueFullReported)
                {
                    _queueFullReported = true;
                    LogQueueFull(Name, options.MaxQueuedMessages, message.Topic);
                }
            }
            else
            {
                _outbox.Enqueue(new BridgeQueuedMessage(remoteTopic, qos, message.Retain && options.OutgoingRetain, message));
                stored |= qos > 0;
            }
        }

        // The topic grain acknowledges its publishers only after this returns, so QoS 1/2 messages are stored first.
        if (stored)
        {
            await PersistAsync();
        }
    }

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch) => Task.FromResult<SessionHandoff?>(null);

    public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch) =>
        Task.FromResult(false);

    private async Task ApplyAsync(BridgeOptions options)
    {
        await StopConnectionAsync();
        var oldFilters = _routes?.LocalFilters ?? [];
        (_options, _routes, _localClientId) = (options, new BridgeRoutes(options.Topics), options.EffectiveLocalClientId);
        await RegisterAsync();
        var removed = oldFilters.Except(_routes.LocalFilters, StringComparer.Ordinal).ToArray();
        if (removed.Length > 0)
        {
            await RouteIndex.RemoveRoutesAsync(GatewayId, removed);
        }

        _refresh ??= this.RegisterGrainTimer(
            _ => RefreshAsync(),
            new GrainTimerCreationOptions(GatewayLiveness.RefreshInterval, GatewayLiveness.RefreshInterval) { KeepAlive = true, Interleave = true });

        // Down until connected: a state left at "1" by a stopped node does not survive a restart.
        _local = new BridgeLocalPublisher(Name, options, _routes, grainFactory, timeProvider, logger);
        await _local.PublishStateAsync(false);
        var hooks = new BridgeConnectionHooks(_local.PublishIncomingAsync, ConnectionStateChangedAsync, Acknowledged, PersistAsync);
        _connection = new BridgeConnection(options, _routes, _outbox, _incoming, hooks, timeProvider, metrics, logger);
        _stopping = new CancellationTokenSource();
        _running = _connection.RunAsync(_stopping.Token);
        LogStarted(Name, string.Join(", ", options.Addresses), RuntimeIdentity);
    }

    private async Task StopConnectionAsync()
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        _stopping.Dispose();
        _stopping = null;
    }

    /// <summary>Registers (and refreshes) the bridge as a route target, re-adding routes the index lost.</summary>
    private async Task RegisterAsync()
    {
        if (_routes is null)
        {
            return;
        }

        var registration = await RouteIndex.RegisterGatewayAsync(GatewayId, this.AsReference<IGatewayObserver>());
        var missing = _routes.LocalFilters.Except(registration.Routes, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            await RouteIndex.AddRoutesAsync(GatewayId, missing);
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await RegisterAsync();
        }
        catch (Exception exception)
        {
            // The route index expires a registration only after several missed refreshes; the next one may work.
            LogRefreshFailed(Name, exception);
        }
    }

    /// <summary>After the remote acknowledged messages: they leave storage with the next write.</summary>
    private void PersistInBackground() => _ = PersistLoggedAsync();

    private void Acknowledged()
    {
        _queueFullReported = false;
        PersistInBackground();
    }

    private async Task PersistLoggedAsync()
    {
        try
        {
            await PersistAsync();
        }
        catch (Exception exception)
        {
            // What the remote acknowledged stays in storage until a later write; after a restart it would be sent
            // again (at least once, never lost).
            LogStoreFailed(Name, exception);
        }
    }

    private async Task ConnectionStateChangedAsync(bool up)
    {
        if (up)
        {
            await QueueRetainedAsync();
        }

        await _local!.PublishStateAsync(up);
    }

    /// <summary>
    /// At each connection, as Mosquitto's bridge does, the retained messages here that match an outgoing topic go to
    /// the remote (after what was already queued), so a remote that lost them, or never had them, gets them again.
    /// </summary>
    private async Task QueueRetainedAsync()
    {
        if (_options is not { } options || _routes is not { } routes)
        {
            return;
        }

        var queued = 0;
        foreach (var filter in routes.LocalFilters)
        {
            IReadOnlyList<BrokerMessage> retained;
            try
            {
                retained = await RetainedLookup.MatchAsync(GrainFactory, filter);
            }
            catch (Exception exception)
            {
                LogRetainedFailed(Name, filter, exception);
                continue;
            }

            foreach (var message in retained)
            {
                if (message.PublisherClientId != _localClientId
                    && routes.TryOutgoing(message.Topic, message.QualityOfService, out var remoteTopic, out var qos)
                    && (qos == 0 || _outbox.ReliableCount < options.MaxQueuedMessages))
                {
                    _outbox.Enqueue(new BridgeQueuedMessage(remoteTopic, qos, options.OutgoingRetain, message));
                    queued++;
                }
            }
        }

        if (queued > 0)
        {
            LogRetainedQueued(Name, queued);
            PersistInBackground();
        }
    }

    private void Drop(string reason)
    {
        _dropped++;
        metrics.MessagesDropped(reason);
    }

    /// <summary>Writes the options, the QoS 1/2 outbox and the client session; completes once a write that began after
    /// the call is done.</summary>
    private Task PersistAsync() => (_writer ??= new BridgeStateWriter(state, _outbox, _incoming, Name)).WriteAsync();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bridge {Bridge}: {Count} retained message(s) queued for the remote")]
    private partial void LogRetainedQueued(string bridge, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: reading the retained messages of '{Filter}' failed; they are not sent this time")]
    private partial void LogRetainedFailed(string bridge, string filter, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: refreshing its registration with the route index failed")]
    private partial void LogRefreshFailed(string bridge, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: storing its queue failed; trying again with the next change")]
    private partial void LogStoreFailed(string bridge, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} stopped; {Queued} QoS 1/2 message(s) stay stored for when it is configured again")]
    private partial void LogStopped(string bridge, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} started towards {Addresses} in silo {Silo}")]
    private partial void LogStarted(string bridge, string addresses, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: {Max} QoS 1/2 messages already wait for the remote; a message on '{Topic}' was dropped, and so are further ones until the remote takes some (counted as bridge_queue_full)")]
    private partial void LogQueueFull(string bridge, int max, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} starts with a clean local session: {Count} queued message(s) discarded")]
    private partial void LogQueueCleared(string bridge, int count);
}
