using MqttCluster.Core.Delivery;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>The connection's side of its session: what the session grain decides, restores and takes back.</summary>
public sealed partial class MqttConnection
{
    private long _epoch;
    private bool _takenOver;

    /// <summary>Set once a takeover was asked for; its hand-back once collected.</summary>
    private TaskCompletionSource<SessionHandoff>? _takeover;

    // The resume of the stored messages, running beside the read loop; what depends on it (a QoS 2 PUBLISH or a
    // PUBREL that may belong to the previous connection's flows, and the hand-back) waits for it.
    private Task _resumed = Task.CompletedTask;

    /// <summary>The persistent session queues at its grain from now on (set before the connection stops taking
    /// deliveries): what still reaches this closed connection goes there instead of being dropped.</summary>
    private bool _queueingAtSession;

    /// <summary>Made when the hand-back is collected; it keeps the shared-subscription messages to pass on.</summary>
    private SessionHandback? _handback;

    private Cluster.IClusterSession Session => _services.Cluster.Session(ClientId);

    /// <summary>Takes the resumed session's stored messages from the session grain and sends them before live
    /// traffic; never faults (a failure closes the connection).</summary>
    /// <param name="moved">Whether the session had a connection before this one (see <see cref="OutboundPublishes.Resume"/>).</param>
    private async Task ResumeAsync(bool moved)
    {
        try
        {
            var resume = await Session.ResumeAsync(_epoch);
            _inbound.Acknowledgements.Restore(resume.InboundQos2);

            // Taken over or closed while restoring, it is not applied: the hand-back says so, the session grain
            // keeps these messages.
            _outbound.Resume(resume, moved);
        }
        catch (Exception) when (Volatile.Read(ref _takenOver))
        {
            // A newer CONNECT took the session over while this connection was restoring it [MQTT-3.1.4-3]: the
            // session grain no longer accepts this connection's epoch, and the takeover is already closing it.
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionUnavailable(_services.Logger, ClientId, exception);
            Close(MqttDisconnectReasonCode.ImplementationSpecificError);
        }
    }

    /// <summary>
    /// A QoS 1/2 delivery that reached this connection after it handed its persistent session back, or after a newer
    /// connection took the session over: routes in other silos may lag behind for a moment. The session grain queues
    /// it (once, by message id) for the client's return or hands it to the newer connection, rather than it being
    /// lost with this one. The grain keeps each message once, so the call is retried while the cluster changes; a
    /// failure fails the delivery, which the topic grain retries and then rescues.
    /// </summary>
    private async Task HandToSessionAsync(BrokerMessage message)
    {
        try
        {
            await Cluster.TransientClusterFailure.RetryHandOffAsync(() => Session.RescueAsync(_epoch, [message], batch: null));
        }
        catch (Exception exception)
        {
            ConnectionLog.LateDeliveryHandOffFailed(_services.Logger, ClientId, exception);
            throw;
        }
    }

    /// <summary>The session grain gives this connection's session to a newer connection: the packets this
    /// connection already received take effect first (the newer connection's CONNACK comes after them), then it
    /// stops and hands back what is unfinished. Called from the gateway's observer, on any thread.</summary>
    internal Task<SessionHandoff> TakeOverAsync()
    {
        var takeover = new TaskCompletionSource<SessionHandoff>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _takeover, takeover, null) is { } earlier)
        {
            return earlier.Task;
        }

        _ = CompleteTakeOverAsync(takeover);
        return takeover.Task;
    }

    private async Task CompleteTakeOverAsync(TaskCompletionSource<SessionHandoff> takeover)
    {
        _ending.CloseWith(MqttDisconnectReasonCode.SessionTakenOver);
        if (Volatile.Read(ref _established))
        {
            // Bounded, and whatever goes wrong in it the hand-back still goes out below.
            await ReceivedPacketsTakeEffectAsync().WaitAsync(SessionTakeoverBudget.InboundForwardingWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Set before the hand-back closes the delivery (see Deliver). When it was collected for DisconnectAsync
        // already, the takeover gets the same; the session grain ignores that call now (its epoch is over).
        Volatile.Write(ref _takenOver, true);
        var handoff = HandBack(_ending.KindAtTakeover);

        ConnectionLog.SessionTakenOver(_services.ConnectionMessages, ClientId, Endpoint);
        Close(MqttDisconnectReasonCode.SessionTakenOver);
        takeover.SetResult(handoff);
    }

    /// <summary>Everything the client sent before the takeover takes effect: its input ends where it stopped sending
    /// (<see cref="Transport.ConnectionTransport.StopReceiving"/>), the read loop handles all of it and stops, then its
    /// PUBLISHes are forwarded.</summary>
    private async Task ReceivedPacketsTakeEffectAsync()
    {
        Transport.ConnectionTransport.StopReceiving(_transport, _reader);

        await _receiving.Task;
        await _inbound.WhenForwardedAsync();
    }

    /// <summary>
    /// Ends this connection's part of the session: a persistent session starts queueing first, then gets the
    /// unfinished messages; the will and expiry are the session grain's to handle. Then the routes go.
    /// </summary>
    private async Task EndSessionAsync()
    {
        if (!_takenOver)
        {
            var kind = _ending.Kind(_services.Stopping.IsCancellationRequested);
            SessionHandoff? handoff = null;
            try
            {
                // Both calls are idempotent for one epoch, so they are retried on any failure, within a bound.
                if (_client.IsPersistent && (_ending.SessionExpiry ?? _client.SessionExpiry) > 0)
                {
                    await Cluster.TransientClusterFailure.RetryHandOffAsync(() => Session.GoingOfflineAsync(_epoch));
                    Volatile.Write(ref _queueingAtSession, true);
                }

                handoff = HandBack(kind);

                await Cluster.TransientClusterFailure.RetryHandOffAsync(() => Session.DisconnectAsync(_epoch, handoff));
            }
            catch (Exception exception)
            {
                // The explicit limit: the retries are spent. What the client had not acknowledged is counted lost.
                ConnectionLog.SessionHandoffFailed(_services.Logger, ClientId, exception);
                if (handoff is { } failed && failed.Inflight.Length + failed.Pending.Length > 0)
                {
                    _services.Metrics.MessagesDropped(Core.Telemetry.DropReasons.HandOffFailed, failed.Inflight.Length + failed.Pending.Length);
                }
            }
        }

        _services.Clients.Remove(ClientId, _epoch);
        if (_queueingAtSession || (_takenOver && _client.IsPersistent))
        {
            _services.DepartedSessions.Add(ClientId, _epoch, _subscriptions.PlainFilters());
        }

        await _subscriptions.RemoveAllAsync();
        if (_handback is { } handback)
        {
            await handback.RedeliverSharedAsync();
        }
    }

    /// <summary>
    /// Stops deliveries and collects, once, what the client has not acknowledged. Messages of shared subscriptions
    /// are kept apart: they go to another member of their group, not back to this session [MQTT-4.8.2-6].
    /// </summary>
    private SessionHandoff HandBack(DisconnectKind kind) =>
        _outbound.HandBack((inflight, pending, resumeApplied) =>
            (_handback ??= new SessionHandback(_services, ClientId)).Collect(kind, _ending.SessionExpiry, inflight, pending, resumeApplied, _inbound.Acknowledgements.Snapshot()));
}
