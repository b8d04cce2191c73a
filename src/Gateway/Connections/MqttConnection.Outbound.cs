using MqttCluster.Core.Delivery;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Broker-to-client delivery: packet I/O around the session's <see cref="SessionDelivery{T}"/>, which decides what
/// goes out when. This part checks what depends on the client (expiry, ACL, maximum packet size), writes the
/// packets and counts the drops.
/// </summary>
public sealed partial class MqttConnection : ISessionDeliveryOutput<PendingDelivery>
{
    private OutboundTopicAliases _outboundAliases = new(0);

    /// <inheritdoc />
    public Task? Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute, SendSpanParent? sendSpan = null)
    {
        var delivery = new PendingDelivery(message, qos, retain, subscriptionIdentifiers, sharedGroupRoute, sendSpan);
        lock (_outboundLock)
        {
            if (_delivery.Offer(delivery, DeliveryOrigin.Live) != OfferOutcome.Closed)
            {
                return null;
            }

            // The session was handed back (or taken over by a newer connection) and this connection is still in
            // the gateway's subscriptions for a moment: the session grain passes it on, and the delivery is
            // answered once it has.
            return (_queueingAtSession || (_takenOver && IsPersistent)) && qos > 0 && sharedGroupRoute is null
                ? HandToSessionAsync(message)
                : null;
        }
    }

    /// <summary>
    /// Messages of this session that a failed delivery, to this connection or to the client's previous one, did not
    /// bring (see <see cref="Grains.IGatewayObserver.DeliverRescuedAsync"/>); those this connection already has are
    /// skipped by the session's ledger. False when this connection no longer serves the session.
    /// </summary>
    internal bool DeliverRescued(OutboundMessage[] messages)
    {
        lock (_outboundLock)
        {
            foreach (var message in messages)
            {
                if (_delivery.Offer(PendingDelivery.From(message), DeliveryOrigin.Rescued) == OfferOutcome.Closed)
                {
                    return false;
                }
            }

            return true;
        }
    }

    bool ISessionDeliveryOutput<PendingDelivery>.Admit(PendingDelivery delivery)
    {
        if (PublishPacketConversion.IsExpired(delivery.Message, NowUnixMilliseconds))
        {
            _services.Metrics.MessagesDropped(DropReasons.Expired);
            return false;
        }

        // A wildcard subscription may cover topics this client may not read; the ACL is checked per message, so a
        // reloaded ACL applies to live sessions at once.
        if (!_client.Access.CanReceive(delivery.Message.Topic))
        {
            _services.Metrics.MessagesDropped(DropReasons.NotAuthorized);
            return false;
        }

        if (_client.MaximumPacketSize > 0 && PublishPacketSize.Of(delivery, _outboundAliases) > _client.MaximumPacketSize)
        {
            // Too large for this v5 client: discarded as if delivered [MQTT-3.1.2-25].
            CountDrop(DropReasons.TooLarge, "larger than the client's maximum packet size");
            return false;
        }

        return true;
    }

    bool ISessionDeliveryOutput<PendingDelivery>.Expired(PendingDelivery delivery)
    {
        if (!PublishPacketConversion.IsExpired(delivery.Message, NowUnixMilliseconds))
        {
            return false;
        }

        _services.Metrics.MessagesDropped(DropReasons.Expired);
        return true;
    }

    int ISessionDeliveryOutput<PendingDelivery>.UnsentCount => _sender.QueuedCount;

    void ISessionDeliveryOutput<PendingDelivery>.SendPublish(PendingDelivery delivery, ushort packetId, bool duplicate)
    {
        _services.Metrics.MessageSent(delivery.QualityOfService, delivery.Message.Payload.Length);
        var traceParent = delivery.SendSpan is { } sendSpan
            ? MessageTracing.RecordSend(sendSpan, delivery.Message.Topic, ClientId, delivery.QualityOfService)
            : null;
        var packet = PublishPacketConversion.ToPublishPacket(
            delivery.Message, delivery.QualityOfService, delivery.Retain, delivery.SubscriptionIdentifiers, packetId, NowUnixMilliseconds, traceParent);
        packet.Dup = duplicate;
        if (IsV5)
        {
            _outboundAliases.Apply(packet);
        }

        _sender.Send(packet);
    }

    void ISessionDeliveryOutput<PendingDelivery>.SendPubRel(ushort packetId) =>
        _sender.Send(new MqttPubRelPacket { PacketIdentifier = packetId });

    void ISessionDeliveryOutput<PendingDelivery>.Drop(string reason, string detail) => CountDrop(reason, detail);

    private void OnPubAck(MqttPubAckPacket pubAck)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubAck, _delivery.Inflight(pubAck.PacketIdentifier));
            _delivery.OnPubAck(pubAck.PacketIdentifier);
        }
    }

    private void OnPubRec(MqttPubRecPacket pubRec)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubRec, _delivery.Inflight(pubRec.PacketIdentifier));

            // An error reason (v5) means the client refused the message; the QoS 2 flow ends there [MQTT-4.3.3-4].
            var refused = IsV5 && (byte)pubRec.ReasonCode >= 0x80;
            var known = _delivery.OnPubRec(pubRec.PacketIdentifier, refused);
            if (!refused)
            {
                _sender.Send(new MqttPubRelPacket
                {
                    PacketIdentifier = pubRec.PacketIdentifier,
                    ReasonCode = known || !IsV5 ? MqttPubRelReasonCode.Success : MqttPubRelReasonCode.PacketIdentifierNotFound,
                });
            }
        }
    }

    private void OnPubComp(MqttPubCompPacket pubComp)
    {
        lock (_outboundLock)
        {
            AcknowledgementRules.Check(pubComp, _delivery.Inflight(pubComp.PacketIdentifier));
            _delivery.OnPubComp(pubComp.PacketIdentifier);
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
