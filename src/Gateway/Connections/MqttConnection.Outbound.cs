using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Broker-to-client delivery: QoS 0 straight to the send queue, QoS 1/2 through the in-flight window.</summary>
public sealed partial class MqttConnection
{
    private OutboundTopicAliases _outboundAliases = new(0);

    private const int SentAheadCapacity = 1024;

    /// <summary>
    /// While a resumed session's stored messages, or a SUBSCRIBE's SUBACK and retained messages, are being sent,
    /// live deliveries wait here, so they follow what must come first.
    /// </summary>
    private List<PendingDelivery>? _heldLive;

    /// <summary>Ids of messages sent ahead of their live copy: retained copies for a new subscription (the message
    /// was published while the subscription was being made) and rescued copies of a failed delivery (whose first
    /// attempt may still arrive). When the live copy comes, it is not sent twice.</summary>
    private readonly HashSet<Guid> _sentAhead = [];
    private readonly Queue<Guid> _sentAheadOrder = new();

    /// <summary>See <see cref="ResumeDeliveryWindow"/>; null outside it.</summary>
    private ResumeDeliveryWindow? _resumeWindow;

    /// <inheritdoc />
    public void Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute, SendSpanParent? sendSpan = null)
    {
        var delivery = new PendingDelivery(message, qos, retain, subscriptionIdentifiers, sharedGroupRoute, sendSpan);
        lock (_outboundLock)
        {
            if (!_connected)
            {
                // The session was handed back (or taken over by a newer connection) and this connection is still in
                // the gateway's subscriptions for a moment: the session grain passes it on.
                if ((_queueingAtSession || (_takenOver && IsPersistent)) && qos > 0 && sharedGroupRoute is null)
                {
                    _ = HandToSessionAsync(message);
                }

                return;
            }

            if (_resumeWindow is not null && qos > 0 && sharedGroupRoute is null && !GiveInResumeWindowLocked(message.MessageId))
            {
                return;
            }

            if (_heldLive is not null)
            {
                _heldLive.Add(delivery);
                return;
            }

            if (_sentAhead.Count > 0 && _sentAhead.Remove(message.MessageId))
            {
                return;
            }

            EnqueueLocked(delivery, isStoredOrRetained: false);
        }
    }

    /// <summary>
    /// Sends a new subscription's retained messages, then the live messages held meanwhile. Retained messages are
    /// bounded by the number of matching retained topics, so they bypass the slow-consumer limits; one that is
    /// already among the held live messages is sent only live [MQTT-3.3.1-6].
    /// </summary>
    private void SendRetainedThenHeldLocked(List<(BrokerMessage Message, Subscription Subscription)> retained)
    {
        var held = _heldLive ?? [];
        _heldLive = null;
        var heldIds = held.Select(d => d.Message.MessageId).ToHashSet();
        foreach (var (message, subscription) in retained)
        {
            if (heldIds.Contains(message.MessageId))
            {
                continue;
            }

            RememberSentAheadLocked(message.MessageId);
            EnqueueLocked(
                new PendingDelivery(
                    message,
                    Math.Min(message.QualityOfService, subscription.MaximumQoS),
                    true,
                    subscription.SubscriptionIdentifier == 0 ? null : [subscription.SubscriptionIdentifier],
                    null),
                isStoredOrRetained: true);
        }

        foreach (var delivery in held)
        {
            EnqueueLocked(delivery, isStoredOrRetained: false);
        }
    }

    private void RememberSentAheadLocked(Guid messageId)
    {
        if (_sentAhead.Add(messageId))
        {
            _sentAheadOrder.Enqueue(messageId);
            if (_sentAheadOrder.Count > SentAheadCapacity)
            {
                _sentAhead.Remove(_sentAheadOrder.Dequeue());
            }
        }
    }

    private void EnqueueLocked(PendingDelivery delivery, bool isStoredOrRetained)
    {
        if (!_connected)
        {
            return;
        }

        var now = NowUnixMilliseconds;
        if (PublishPacketConversion.IsExpired(delivery.Message, now))
        {
            _services.Metrics.MessagesDropped(DropReasons.Expired);
            return;
        }

        // A wildcard subscription may cover topics this client may not read; the ACL is checked per message, so a
        // reloaded ACL applies to live sessions at once.
        if (_services.Authorizer.IsActive && !Permissions.CanReceive(delivery.Message.Topic))
        {
            _services.Metrics.MessagesDropped(DropReasons.NotAuthorized);
            return;
        }

        if (_clientMaximumPacketSize > 0 && PublishPacketSize.Of(delivery, _outboundAliases) > _clientMaximumPacketSize)
        {
            // Too large for this v5 client: discarded as if delivered [MQTT-3.1.2-25].
            CountDrop(DropReasons.TooLarge, "larger than the client's maximum packet size");
            return;
        }

        if (delivery.QualityOfService == 0)
        {
            // QoS 0 may be lost; a client that stopped reading loses it rather than growing our memory.
            if (!isStoredOrRetained && _sender.QueuedCount >= _maxQueuedMessages)
            {
                CountDrop(DropReasons.QueueFull, "send queue full");
                return;
            }

            // Behind QoS 1/2 messages of its topic still waiting for the window: a topic keeps its order
            // [MQTT-4.6.0-6]; other topics' QoS 0 messages need not wait.
            if (_outbound.HasQueued(delivery.Message.Topic))
            {
                if (!_outbound.TryQueue(delivery, ignoreLimit: isStoredOrRetained))
                {
                    CountDrop(DropReasons.QueueFull, "in-flight window and queue full");
                }

                return;
            }

            _sender.Send(CreatePublishLocked(delivery, 0, now));
            return;
        }

        if (_outbound.HasRoom && _outbound.QueuedCount == 0)
        {
            SendInflightLocked(delivery, now);
        }
        else if (!_outbound.TryQueue(delivery, ignoreLimit: isStoredOrRetained || _flowControl.HoldsPublishers(_outbound.InflightCount)))
        {
            CountDrop(DropReasons.QueueFull, "in-flight window and queue full");
        }
    }

    private MqttPublishPacket CreatePublishLocked(PendingDelivery delivery, ushort packetId, long now)
    {
        _services.Metrics.MessageSent(delivery.QualityOfService, delivery.Message.Payload.Length);
        var traceParent = delivery.SendSpan is { } sendSpan
            ? MessageTracing.RecordSend(sendSpan, delivery.Message.Topic, ClientId, delivery.QualityOfService)
            : null;
        var packet = PublishPacketConversion.ToPublishPacket(
            delivery.Message, delivery.QualityOfService, delivery.Retain, delivery.SubscriptionIdentifiers, packetId, now, traceParent);
        if (IsV5)
        {
            _outboundAliases.Apply(packet);
        }

        return packet;
    }

    private void SendInflightLocked(PendingDelivery delivery, long now)
    {
        if (_outbound.InflightCount == 0)
        {
            // The client owes no acknowledgement yet: its silence so far is not a stall.
            _flowControl.OnProgress();
        }

        var packetId = _outbound.NextPacketId();
        _outbound.Track(packetId, delivery);
        _sender.Send(CreatePublishLocked(delivery, packetId, now));
    }

    /// <summary>Moves a resumed session's re-sends, then queued deliveries, into the window as acknowledgements
    /// free it.</summary>
    private void SendQueuedLocked()
    {
        var now = NowUnixMilliseconds;
        while (_outbound.TryDequeueResend(out var packetId, out var resend))
        {
            var packet = CreatePublishLocked(resend!.Delivery, packetId, now);
            packet.Dup = true;
            _sender.Send(packet);
        }

        while (_outbound.TryDequeue(out var delivery))
        {
            if (PublishPacketConversion.IsExpired(delivery!.Message, now))
            {
                _services.Metrics.MessagesDropped(DropReasons.Expired);
                continue;
            }

            if (delivery.QualityOfService == 0)
            {
                _sender.Send(CreatePublishLocked(delivery, 0, now));
            }
            else
            {
                SendInflightLocked(delivery, now);
            }
        }

        _flowControl.Update(_outbound.QueuedCount);
    }

    /// <summary>
    /// Messages of this session that a failed delivery, to this connection or to the client's previous one, did not
    /// bring (see <see cref="Grains.IGatewayObserver.DeliverRescuedAsync"/>); those this connection already has are
    /// skipped. False when this connection no longer serves the session.
    /// </summary>
    internal bool DeliverRescued(OutboundMessage[] messages)
    {
        lock (_outboundLock)
        {
            if (!_connected)
            {
                return false;
            }
        }

        foreach (var message in messages)
        {
            Deliver(message.Message, message.QualityOfService, message.Retain, message.SubscriptionIdentifiers, sharedGroupRoute: null);
            lock (_outboundLock)
            {
                RememberSentAheadLocked(message.Message.MessageId);
            }
        }

        return true;
    }

    private void OnPubAck(MqttPubAckPacket pubAck)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubAck, _outbound.Inflight(pubAck.PacketIdentifier));
            _flowControl.OnProgress();
            if (_outbound.Acknowledge(pubAck.PacketIdentifier))
            {
                SendQueuedLocked();
            }
        }
    }

    private void OnPubRec(MqttPubRecPacket pubRec)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubRec, _outbound.Inflight(pubRec.PacketIdentifier));
            _flowControl.OnProgress();
            if (IsV5 && (byte)pubRec.ReasonCode >= 0x80)
            {
                // The client refused the message; the QoS 2 flow ends here [MQTT-4.3.3-4].
                if (_outbound.Abandon(pubRec.PacketIdentifier))
                {
                    SendQueuedLocked();
                }

                return;
            }

            var known = _outbound.Receive(pubRec.PacketIdentifier);
            _sender.Send(new MqttPubRelPacket
            {
                PacketIdentifier = pubRec.PacketIdentifier,
                ReasonCode = known || !IsV5 ? MqttPubRelReasonCode.Success : MqttPubRelReasonCode.PacketIdentifierNotFound,
            });
        }
    }

    private void OnPubComp(MqttPubCompPacket pubComp)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubComp, _outbound.Inflight(pubComp.PacketIdentifier));
            _flowControl.OnProgress();
            if (_outbound.Complete(pubComp.PacketIdentifier))
            {
                SendQueuedLocked();
            }
        }
    }

    private void CountDrop(string reason, string detail)
    {
        _services.Metrics.MessagesDropped(reason);

        // Logged on the first drop and then every 1000th, so a stuck client cannot flood the log.
        var dropped = ++_droppedMessages;
        if (dropped == 1 || dropped % 1000 == 0)
        {
            ConnectionLog.MessagesDropped(_services.Logger, ClientId, dropped, detail);
        }
    }
}
