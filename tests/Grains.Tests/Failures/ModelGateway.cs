using System.Collections.Concurrent;
using System.Reflection;
using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>
/// A gateway stand-in that keeps the contract grains rely on (<see cref="IGatewayObserver"/>): it takes each
/// delivery batch once (a copy of a batch it took, or of an earlier one, is answered and dropped), hands what it takes
/// to its connected sessions whose filter matches, skips a rescue of a batch it took, and hands back what a connection
/// had not finished when it is taken over. Its clients acknowledge everything they get, so a connection hands back
/// nothing. It is a model of the gateway's side, not the gateway: it pins what the grains do around it.
/// </summary>
public sealed class ModelGateway : IGatewayObserver
{
    private readonly FailureCluster _cluster;
    private readonly ConcurrentDictionary<string, ModelConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, long> _lastTaken = new();

    internal ModelGateway(FailureCluster cluster, string id)
    {
        _cluster = cluster;
        Id = id;
        Reference = cluster.Client.CreateObjectReference<IGatewayObserver>(this);
    }

    public string Id { get; }

    public IGatewayObserver Reference { get; }

    public GrainId ObserverId => Reference.GetGrainId();

    /// <summary>Whether it refreshes its registration when the fake clock moves (a dead gateway does not).</summary>
    public bool IsAlive { get; private set; } = true;

    /// <summary>Every delivery call that reached it, copies included, in arrival order.</summary>
    public ConcurrentQueue<DeliveryBatch> Deliveries { get; } = new();

    /// <summary>While set, a delivery waits for it before the gateway takes it (a subscriber pushing back, a
    /// hand-off to a session grain under way).</summary>
    public Task? DeliveryHold { get; set; }

    /// <summary>Which deliveries <see cref="DeliveryHold"/> holds (all when null).</summary>
    public Func<GatewayDelivery[], bool>? HoldOnly { get; set; }

    /// <summary>Completes when a delivery first waited for <see cref="DeliveryHold"/>.</summary>
    public TaskCompletionSource DeliveryHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every takeover that reached it: the client id.</summary>
    public ConcurrentQueue<string> TakeOvers { get; } = new();

    /// <summary>Every rescue offered to it: the batch it named, and whether the connection was here.</summary>
    public ConcurrentQueue<(string ClientId, DeliveryBatch? Batch, bool Found)> Rescues { get; } = new();

    private IRouteIndexGrain Index => _cluster.Client.GetGrain<IRouteIndexGrain>(0);

    /// <summary>What the gateway's registration timer does: refresh with the route index, refill its sessions
    /// registry if that activation is new.</summary>
    public async Task RefreshAsync()
    {
        var registration = await Index.RegisterGatewayAsync(Id, Reference);
        var missing = _connections.Values.Select(c => c.Filter).Distinct().Except(registration.Routes).ToArray();
        if (missing.Length > 0)
        {
            // An index that restarted lost them.
            await Index.AddRoutesAsync(Id, missing);
        }

        var registry = _cluster.Client.GetGrain<IGatewaySessionsGrain>(Id);
        if (RefillsRegistry && await registry.NeedsRestoreAsync())
        {
            await registry.RestoreAsync(_connections.Values.ToDictionary(c => c.ClientId, c => c.Epoch));
        }
    }

    /// <summary>False to keep its sessions registry as a restarted one is before the gateway's next refresh.</summary>
    public bool RefillsRegistry { get; set; } = true;

    /// <summary>
    /// A client's CONNECT of a persistent session here, as the gateway runs it: session grain, then the routes of
    /// its subscription, then the resume (whose messages the client gets first).
    /// </summary>
    public async Task<ModelConnection> ConnectAsync(string clientId, string filter, BrokerMessage? will = null)
    {
        var session = _cluster.Client.GetGrain<ISessionGrain>(clientId);
        var connected = await session.ConnectAsync(new SessionConnectRequest
        {
            GatewayId = Id,
            Gateway = Reference,
            SessionExpiryInterval = 100,
            Will = will,
        });
        var connection = new ModelConnection(clientId, connected.Epoch, filter);
        _connections[clientId] = connection;
        await Index.AddRoutesAsync(Id, [filter]);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = filter, MaximumQoS = 1 }], []);
        connection.Resumed = await session.ResumeAsync(connected.Epoch);
        return connection;
    }

    /// <summary>A DISCONNECT: the session starts queueing, then the connection hands back and leaves.</summary>
    public async Task DisconnectAsync(ModelConnection connection)
    {
        var session = _cluster.Client.GetGrain<ISessionGrain>(connection.ClientId);
        await session.GoingOfflineAsync(connection.Epoch);
        _connections.TryRemove(new KeyValuePair<string, ModelConnection>(connection.ClientId, connection));
        await session.DisconnectAsync(connection.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal, ResumeApplied = true });
        await Index.RemoveRoutesAsync(Id, [connection.Filter]);
    }

    /// <summary>
    /// A gateway stopping (SIGTERM): its connections hand their sessions back, it leaves the route index and deletes
    /// its observer, so deliveries still on their way fail.
    /// </summary>
    public async Task StopAsync()
    {
        foreach (var connection in _connections.Values.ToArray())
        {
            await DisconnectAsync(connection);
        }

        IsAlive = false;
        await Index.UnregisterGatewayAsync(Id);
        _cluster.Client.DeleteObjectReference<IGatewayObserver>(Reference);
    }

    /// <summary>
    /// The gateway's process is gone: it stops refreshing, and every call to it fails as Orleans fails a call to a
    /// client that is no longer connected.
    /// </summary>
    public void Die()
    {
        IsAlive = false;
        var observer = ObserverId;
        _cluster.Faults.Fail(call => call.TargetId == observer, () => ClientGone(observer));
    }

    /// <summary>What Orleans throws for a call to a client it no longer has (its constructors are internal).</summary>
    private static ClientNotAvailableException ClientGone(GrainId observer) =>
        (ClientNotAvailableException)Activator.CreateInstance(
            typeof(ClientNotAvailableException), BindingFlags.Instance | BindingFlags.NonPublic, binder: null, [observer], culture: null)!;

    public async Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch)
    {
        if (DeliveryHold is { } hold && (HoldOnly?.Invoke(deliveries) ?? true))
        {
            DeliveryHeld.TrySetResult();
            await hold;
        }

        Deliver(deliveries, batch);
    }

    private void Deliver(GatewayDelivery[] deliveries, DeliveryBatch batch)
    {
        Deliveries.Enqueue(batch);
        if (!TryTake(batch))
        {
            return;
        }

        foreach (var delivery in deliveries.Where(d => d.Message.QualityOfService > 0))
        {
            foreach (var connection in _connections.Values.Where(c => TopicFilter.Matches(c.Filter, delivery.Message.Topic)))
            {
                connection.Received.Enqueue(delivery.Message);
            }
        }
    }

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch)
    {
        TakeOvers.Enqueue(clientId);
        return Task.FromResult(_connections.TryGetValue(clientId, out var connection) && connection.Epoch == epoch &&
            _connections.TryRemove(new KeyValuePair<string, ModelConnection>(clientId, connection))
            ? new SessionHandoff { Kind = DisconnectKind.Lost, ResumeApplied = true }
            : null);
    }

    public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch)
    {
        var found = _connections.TryGetValue(clientId, out var connection) && connection.Epoch == epoch;
        Rescues.Enqueue((clientId, batch, found));
        if (!found)
        {
            return Task.FromResult(false);
        }

        // The delivery came through after all (only its answer was lost): the connection has these messages.
        if (batch is not { } failed || !WasTaken(failed))
        {
            foreach (var message in messages)
            {
                connection!.Received.Enqueue(message.Message);
            }
        }

        return Task.FromResult(true);
    }

    private bool TryTake(DeliveryBatch batch)
    {
        while (true)
        {
            if (!_lastTaken.TryGetValue(batch.Outbox, out var last))
            {
                if (_lastTaken.TryAdd(batch.Outbox, batch.Number))
                {
                    return true;
                }
            }
            else if (batch.Number <= last)
            {
                return false;
            }
            else if (_lastTaken.TryUpdate(batch.Outbox, batch.Number, last))
            {
                return true;
            }
        }
    }

    private bool WasTaken(DeliveryBatch batch) => _lastTaken.TryGetValue(batch.Outbox, out var last) && batch.Number <= last;
}
