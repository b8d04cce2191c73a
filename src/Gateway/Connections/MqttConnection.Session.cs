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
    private uint _sessionExpiry;
    private bool _takenOver;
    private bool _resumeApplied;

    /// <summary>The persistent session queues at its grain from now on (set before the connection stops taking
    /// deliveries): what still reaches this closed connection goes there instead of being dropped.</summary>
    private bool _queueingAtSession;
    private DisconnectKind? _disconnectKind;
    private uint? _disconnectSessionExpiry;
    private List<(string GroupRoute, BrokerMessage Message)>? _sharedToRedeliver;

    /// <summary>What the ending connection hands back, once collected: a takeover that arrives before the session
    /// grain has it gets the same, not an empty one.</summary>
    private SessionHandoff? _handoff;

    private ISessionGrain Session => _services.Cluster.Session(ClientId);

    private bool IsPersistent => _sessionExpiry > 0;

    /// <summary>Seconds the session outlives this connection: v5 asks for it (0xFFFFFFFF = never, capped);
    /// a 3.1.1 client with clean session 0 gets the configured default.</summary>
    private uint NegotiateSessionExpiry(MqttConnectPacket connect)
    {
        var max = (uint)Math.Min(uint.MaxValue, _services.Sessions.MaxSessionExpiry.TotalSeconds);
        if (IsV5)
        {
            return Math.Min(connect.SessionExpiryInterval, max);
        }

        return connect.CleanSession ? 0 : (uint)Math.Min(max, _services.Sessions.PersistentClientExpiration.TotalSeconds);
    }

    private SessionConnectRequest CreateSessionRequest(MqttConnectPacket connect) => new()
    {
        GatewayId = _services.GatewayId,
        Gateway = _services.GatewayReference,
        CleanStart = connect.CleanSession,
        SessionExpiryInterval = _sessionExpiry,
        Will = _will,
        WillDelayInterval = IsV5 ? connect.WillDelayInterval : 0,
        WillMessageExpiryInterval = IsV5 ? connect.WillMessageExpiryInterval : 0,
    };

    /// <summary>
    /// Puts a resumed session's subscriptions back in place, before CONNACK: a message published once the client
    /// has its CONNACK must find this gateway's route, not the offline session's (which queues no QoS 0). What
    /// arrives meanwhile is held until the stored messages are sent.
    /// </summary>
    private async Task RestoreSubscriptionsAsync(SessionConnectResult session)
    {
        foreach (var stored in session.Subscriptions)
        {
            var subscription = CreateSubscription(stored.Filter, stored.MaximumQoS, stored.NoLocal, stored.RetainAsPublished, stored.SubscriptionIdentifier);
            lock (_subscriptions)
            {
                _subscriptions[stored.Filter] = subscription;
            }

            await _services.Subscriptions.AddAsync(subscription);
        }
    }

    /// <summary>Takes over the resumed session's stored messages from the session grain and sends them before
    /// live traffic.</summary>
    private async Task ResumeStoredMessagesAsync()
    {
        var resume = await Session.ResumeAsync(_epoch);
        lock (_inboundQos2)
        {
            _inboundQos2.UnionWith(resume.InboundQos2);
            _restoredInboundQos2.UnionWith(resume.InboundQos2);
        }

        lock (_outboundLock)
        {
            if (!_connected)
            {
                // Taken over or closed while restoring: the hand-back said the resume was not applied, so the
                // session grain keeps these messages; nothing goes to this client any more.
                return;
            }

            var live = _heldLive ?? [];
            _heldLive = null;
            ReplayStoredLocked(resume, live);
            _resumeApplied = true;
        }
    }

    /// <summary>
    /// A QoS 1/2 delivery that reached this connection after it handed its persistent session back, or after a newer
    /// connection took the session over: routes in other silos may lag behind for a moment. The session grain queues
    /// it (once, by message id) for the client's return or hands it to the newer connection, rather than it being
    /// lost with this one.
    /// </summary>
    private async Task HandToSessionAsync(BrokerMessage message)
    {
        try
        {
            await Session.RescueAsync(_epoch, [message], batch: null);
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionHandoffFailed(_services.Logger, ClientId, exception);
        }
    }

    /// <summary>The session grain gives this connection's session to a newer connection: stop and hand back
    /// what is unfinished. Called from the gateway's observer, on any thread.</summary>
    internal SessionHandoff TakeOver()
    {
        SessionHandoff handoff;
        lock (_outboundLock)
        {
            _takenOver = true;
            // Already collected for DisconnectAsync, which the session grain will ignore now (its epoch is over).
            handoff = _handoff ?? DrainLocked(_disconnectKind ?? DisconnectKind.Lost);
        }

        ConnectionLog.SessionTakenOver(_services.Logger, ClientId, Endpoint);
        Close(MqttDisconnectReasonCode.SessionTakenOver);
        return handoff;
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
            try
            {
                if (IsPersistent && (_disconnectSessionExpiry ?? _sessionExpiry) > 0)
                {
                    await Session.GoingOfflineAsync(_epoch);
                    lock (_outboundLock)
                    {
                        _queueingAtSession = true;
                    }
                }

                SessionHandoff handoff;
                lock (_outboundLock)
                {
                    handoff = DrainLocked(kind);
                    _handoff = handoff;
                }

                await Session.DisconnectAsync(_epoch, handoff);
            }
            catch (Exception exception)
            {
                ConnectionLog.SessionHandoffFailed(_services.Logger, ClientId, exception);
            }
        }

        _services.Clients.Remove(ClientId, _epoch);
        if (_queueingAtSession || (_takenOver && IsPersistent))
        {
            string[] filters;
            lock (_subscriptions)
            {
                filters = [.. _subscriptions.Values.Where(s => s.SharedGroupRoute is null).Select(s => s.Filter)];
            }

            _services.DepartedSessions.Add(ClientId, _epoch, filters);
        }

        await RemoveAllSubscriptionsAsync();
        await RedeliverSharedAsync();
    }

    /// <summary>
    /// Stops deliveries and collects what the client has not acknowledged. Messages of shared subscriptions are
    /// kept apart: they go to another member of their group, not back to this session [MQTT-4.8.2-6].
    /// </summary>
    private SessionHandoff DrainLocked(DisconnectKind kind)
    {
        _connected = false;
        _flowControl.Update(0, ending: true);
        var (inflight, pending) = _outbound.Drain();
        var buffered = _heldLive ?? [];
        _heldLive = null;

        var keptInflight = new List<OutboundMessage>();
        var keptPending = new List<OutboundMessage>();
        foreach (var (packetId, message) in inflight)
        {
            if (!KeepForRedelivery(message.Delivery))
            {
                keptInflight.Add(message.Delivery.ToOutboundMessage(packetId, message.Released));
            }
        }

        foreach (var delivery in pending.Concat(buffered))
        {
            if (!KeepForRedelivery(delivery) && delivery.QualityOfService > 0)
            {
                keptPending.Add(delivery.ToOutboundMessage());
            }
        }

        ushort[] inboundQos2;
        lock (_inboundQos2)
        {
            inboundQos2 = [.. _inboundQos2];
        }

        return new SessionHandoff
        {
            Kind = kind,
            SessionExpiryInterval = _disconnectSessionExpiry,
            Inflight = [.. keptInflight],
            Pending = [.. keptPending],
            InboundQos2 = inboundQos2,
            ResumeApplied = _resumeApplied,
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
                await _services.Cluster.PublishSharedAsync(group.Key.GroupRoute, group.Key.Topic, [.. group.Select(m => m.Message)]);
            }
            catch (Exception exception)
            {
                ConnectionLog.PublishFailed(_services.Logger, ClientId, group.Key.Topic, group.Count(), exception);
            }
        }
    }

    private Subscription CreateSubscription(string filter, byte qos, bool noLocal, bool retainAsPublished, uint subscriptionIdentifier)
    {
        var isShared = TopicFilter.TryParseShared(filter, out _, out var inner);
        return new Subscription(this, isShared ? inner : filter, isShared ? filter : null)
        {
            MaximumQoS = qos,
            NoLocal = noLocal,
            RetainAsPublished = retainAsPublished,
            SubscriptionIdentifier = subscriptionIdentifier,
        };
    }

    /// <summary>False when the message was given to this connection already within its resume window.</summary>
    private bool GiveInResumeWindowLocked(Guid messageId)
    {
        if (_resumeWindow!.IsOver(_services.TimeProvider.GetTimestamp()))
        {
            _resumeWindow = null;
            return true;
        }

        return _resumeWindow.TryGive(messageId);
    }

    /// <summary>
    /// A resumed session's leftovers, before any live traffic: the previous connection's unacknowledged messages
    /// again with DUP and their packet ids (PUBREL where PUBREC had arrived) [MQTT-4.4.0-1], then what was queued
    /// offline, then live messages that arrived meanwhile, skipping those already among the stored ones. The
    /// re-sent PUBLISH packets count against the client's receive maximum like new ones [MQTT-3.3.4-9].
    /// </summary>
    private void ReplayStoredLocked(SessionResume resume, List<PendingDelivery> live)
    {
        // Only a session that had a connection before can get that connection's messages rescued to this one.
        if (IsPersistent && _sessionPresent)
        {
            var time = _services.TimeProvider;
            _resumeWindow = new ResumeDeliveryWindow(time.GetTimestamp() + (long)(ResumeDeliveryWindow.Length.TotalSeconds * time.TimestampFrequency));
        }

        var stored = new HashSet<Guid>();
        foreach (var message in resume.Inflight)
        {
            stored.Add(message.Message.MessageId);
            _outbound.TrackForResend(message.PacketId, PendingDelivery.From(message), message.Released);
            if (message.Released)
            {
                _sender.Send(new MqttPubRelPacket { PacketIdentifier = message.PacketId });
            }
        }

        SendQueuedLocked();

        foreach (var message in resume.Queued)
        {
            if (stored.Add(message.Message.MessageId))
            {
                EnqueueLocked(PendingDelivery.From(message), isStoredOrRetained: true);
            }
        }

        foreach (var delivery in live)
        {
            if (!stored.Contains(delivery.Message.MessageId))
            {
                EnqueueLocked(delivery, isStoredOrRetained: false);
            }
        }

        if (_resumeWindow is not null)
        {
            foreach (var id in stored)
            {
                _resumeWindow.TryGive(id);
            }

            foreach (var delivery in live.Where(d => d.QualityOfService > 0 && d.SharedGroupRoute is null))
            {
                _resumeWindow.TryGive(delivery.Message.MessageId);
            }
        }
    }
}
