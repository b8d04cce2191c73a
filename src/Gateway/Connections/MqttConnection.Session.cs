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
    private DisconnectKind? _disconnectKind;
    private uint? _disconnectSessionExpiry;
    private List<(string GroupRoute, BrokerMessage Message)>? _sharedToRedeliver;

    private Cluster.IClusterSession Session => _services.Cluster.Session(ClientId);

    private bool IsPersistent => _client.IsPersistent;

    /// <summary>Takes over the resumed session's stored messages from the session grain and sends them before
    /// live traffic.</summary>
    private async Task ResumeStoredMessagesAsync()
    {
        var resume = await Session.ResumeAsync(_epoch);
        _inbound.Acknowledgements.Restore(resume.InboundQos2);

        // Taken over or closed while restoring, it is not applied: the hand-back says so, the session grain keeps
        // these messages. Only a session that had a connection before can get that connection's messages rescued
        // to this one.
        _outbound.Resume(resume, moved: IsPersistent && _sessionPresent);
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
        _closeReason ??= MqttDisconnectReasonCode.SessionTakenOver;
        if (Volatile.Read(ref _established))
        {
            // Bounded, and whatever goes wrong in it the hand-back still goes out below.
            await ReceivedPacketsTakeEffectAsync().WaitAsync(SessionTakeoverBudget.InboundForwardingWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Set before the hand-back closes the delivery (see Deliver). When it was collected for DisconnectAsync
        // already, the takeover gets the same; the session grain ignores that call now (its epoch is over).
        Volatile.Write(ref _takenOver, true);
        var handoff = HandBack(_disconnectKind ?? DisconnectKind.Lost);

        ConnectionLog.SessionTakenOver(_services.ConnectionMessages, ClientId, Endpoint);
        Close(MqttDisconnectReasonCode.SessionTakenOver);
        takeover.SetResult(handoff);
    }

    /// <summary>
    /// Everything the client sent before the takeover takes effect: the read loop handles it all and stops, then its
    /// PUBLISHes are forwarded. Over TCP the socket's receive side is shut down: the kernel still hands over what it
    /// received (also what the transport has read from it and not yet passed on, and what sits in the receive
    /// buffer), then reports the end of the input, so the read loop ends after the last packet the client sent
    /// before, however far each byte had got. Over WebSocket the frames the transport has are handled.
    /// </summary>
    private async Task ReceivedPacketsTakeEffectAsync()
    {
        if (!ShutDownReceiving())
        {
            _reader.StopAfterBuffered();
        }

        await _receiving.Task;
        await _inbound.WhenForwardedAsync();
    }

    /// <summary>Shuts the TCP socket's receive side down; false when the connection is not plain TCP (a WebSocket
    /// has its own framing on the socket) or the socket is gone.</summary>
    private bool ShutDownReceiving()
    {
        if (_transport.Features.Get<Microsoft.AspNetCore.Connections.Features.ITransferFormatFeature>() is not null
            || _transport.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return false;
        }

        try
        {
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Receive);
            return true;
        }
        catch (Exception exception) when (exception is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Closed already: the input ends (or has ended) by itself.
            return true;
        }
    }

    /// <summary>
    /// Ends this connection's part of the session: a persistent session starts queueing first, then gets the
    /// unfinished messages; the will and expiry are the session grain's to handle. Then the routes go.
    /// </summary>
    private async Task EndSessionAsync()
    {
        if (!_takenOver)
        {
            var shuttingDown = _services.Stopping.IsCancellationRequested || _closeReason == MqttDisconnectReasonCode.ServerShuttingDown;
            var kind = _disconnectKind ?? (shuttingDown ? DisconnectKind.ServerShutdown : DisconnectKind.Lost);
            SessionHandoff? handoff = null;
            try
            {
                // Both calls are idempotent for one epoch, so they are retried on any failure, within a bound.
                if (IsPersistent && (_disconnectSessionExpiry ?? _client.SessionExpiry) > 0)
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
        if (_queueingAtSession || (_takenOver && IsPersistent))
        {
            _services.DepartedSessions.Add(ClientId, _epoch, _subscriptions.PlainFilters());
        }

        await _subscriptions.RemoveAllAsync();
        await RedeliverSharedAsync();
    }

    /// <summary>
    /// Stops deliveries and collects, once, what the client has not acknowledged. Messages of shared subscriptions
    /// are kept apart: they go to another member of their group, not back to this session [MQTT-4.8.2-6].
    /// </summary>
    private SessionHandoff HandBack(DisconnectKind kind) =>
        _outbound.HandBack((inflight, pending, resumeApplied) => CollectHandoff(kind, inflight, pending, resumeApplied));

    private SessionHandoff CollectHandoff(DisconnectKind kind, List<InflightEntry<PendingDelivery>> inflight, List<PendingDelivery> pending, bool resumeApplied)
    {
        var keptInflight = new List<OutboundMessage>();
        var keptPending = new List<OutboundMessage>();
        foreach (var entry in inflight)
        {
            if (!KeepForRedelivery(entry.Delivery))
            {
                keptInflight.Add(entry.Delivery.ToOutboundMessage(entry.PacketId, entry.Released));
            }
        }

        foreach (var delivery in pending)
        {
            if (!KeepForRedelivery(delivery) && delivery.QualityOfService > 0)
            {
                keptPending.Add(delivery.ToOutboundMessage());
            }
        }

        return new SessionHandoff
        {
            Kind = kind,
            SessionExpiryInterval = _disconnectSessionExpiry,
            Inflight = [.. keptInflight],
            Pending = [.. keptPending],
            InboundQos2 = _inbound.Acknowledgements.Snapshot(),
            ResumeApplied = resumeApplied,
        };
    }

    private bool KeepForRedelivery(PendingDelivery delivery)
    {
        if (delivery.SharedGroupRoute is null)
        {
            return false;
        }

        if (delivery.QualityOfService > 0)
        {
            (_sharedToRedeliver ??= []).Add((delivery.SharedGroupRoute, delivery.Message));
        }

        return true;
    }

    /// <summary>Shared-subscription messages this client left unacknowledged go to another member: here if the
    /// group has one, else through the topic grain to a member on another gateway.</summary>
    private async Task RedeliverSharedAsync()
    {
        if (_sharedToRedeliver is null)
        {
            return;
        }

        foreach (var group in _sharedToRedeliver.GroupBy(m => (m.GroupRoute, m.Message.Topic)))
        {
            try
            {
                // Retried only when the call certainly did not run: a repeat would give the group a second copy.
                await Cluster.TransientClusterFailure.RetryAsync(() => _services.Cluster.PublishSharedAsync(group.Key.GroupRoute, group.Key.Topic, [.. group.Select(m => m.Message)]));
            }
            catch (Exception exception)
            {
                // The explicit limit: the retries are spent; the messages are counted lost.
                ConnectionLog.PublishFailed(_services.Logger, ClientId, group.Key.Topic, group.Count(), exception);
                _services.Metrics.MessagesDropped(Core.Telemetry.DropReasons.HandOffFailed, group.Count());
            }
        }
    }
}
