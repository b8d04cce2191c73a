using MqttCluster.Core.Delivery;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Broker-to-client PUBLISH of one connection: packet I/O around the session's <see cref="SessionDelivery{T}"/>,
/// which decides what goes out when (in-flight window, queue, packet ids, resend). This type checks what depends on
/// the client (expiry, ACL, maximum packet size, topic aliases), writes the packets, takes the client's
/// acknowledgements and counts the drops. Deliveries arrive from any thread; one lock orders them with the
/// acknowledgements, the resume and the hand-back.
/// </summary>
internal sealed class OutboundPublishes : ISessionDeliveryOutput<PendingDelivery>
{
    private readonly MqttConnection _connection;
    private readonly GatewayServices _services;
    private readonly MqttPacketSender _sender;
    private readonly Lock _lock = new();
    private SessionDelivery<PendingDelivery> _delivery;
    private AcceptedConnect _client;
    private OutboundTopicAliases _aliases = new(0);
    private SessionHandoff? _handoff;
    private bool _resumeApplied;
    private long _droppedMessages;

    /// <param name="pending">The connection's terms before CONNECT (<see cref="AcceptedConnect.Pending"/>).</param>
    public OutboundPublishes(MqttConnection connection, GatewayServices services, MqttPacketSender sender, AcceptedConnect pending)
    {
        _connection = connection;
        _client = pending;
        _services = services;
        _sender = sender;

        // Replaced once CONNECT has negotiated the window; closed until then.
        _delivery = new SessionDelivery<PendingDelivery>(1, 0, SubscriberFlowControl.Off, this, services.TimeProvider);
    }

    /// <summary>QoS 1/2 messages sent and not yet acknowledged (a gauge: read without the lock).</summary>
    public int InflightCount => _delivery.InflightCount;

    /// <summary>Messages waiting for the in-flight window or the socket (a gauge: read without the lock).</summary>
    public int QueuedCount => _delivery.QueuedCount + _sender.QueuedCount;

    /// <summary>Whether the client takes its messages more slowly than they come (Mqtt:SlowSubscribers).</summary>
    public bool IsCongested => _delivery.IsCongested;

    int ISessionDeliveryOutput<PendingDelivery>.UnsentCount => _sender.QueuedCount;

    private bool IsV5 => _connection.ProtocolVersion == MqttProtocolVersion.V500;

    private long NowUnixMilliseconds => _services.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public Task WhenRelieved()
    {
        lock (_lock)
        {
            return _delivery.WhenRelieved();
        }
    }

    /// <summary>Sets the window, queue bound and topic aliases CONNECT negotiated; deliveries wait for <see cref="Open"/>.</summary>
    public void Configure(AcceptedConnect client)
    {
        var maxQueued = _services.Sessions.MaxQueuedMessages;
        var flowControl = _services.Options.SlowSubscribers == SlowSubscriberPolicy.PushBack
            ? new SubscriberFlowControl(Math.Max(client.InflightWindow, maxQueued / 2), _services.Options.PushBackGiveUpAfter, _services.TimeProvider)
            : SubscriberFlowControl.Off;
        _client = client;
        _aliases = new OutboundTopicAliases(client.TopicAliasMaximum);
        _delivery = new SessionDelivery<PendingDelivery>(client.InflightWindow, maxQueued, flowControl, this, _services.TimeProvider);
    }

    /// <summary>The connection serves the session: deliveries are taken from now on.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _delivery.Open();
        }
    }

    /// <summary>Offers a delivery; false when this connection no longer takes deliveries (handed back).</summary>
    public bool Offer(PendingDelivery delivery, DeliveryOrigin origin)
    {
        lock (_lock)
        {
            return _delivery.Offer(delivery, origin) != OfferOutcome.Closed;
        }
    }

    /// <summary>Messages of this session that a failed delivery did not bring; those this connection already has
    /// are skipped by the session's ledger. False when this connection no longer serves the session.</summary>
    public bool OfferRescued(OutboundMessage[] messages)
    {
        lock (_lock)
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

    /// <summary>Sends the resumed session's stored messages before live traffic; false when the connection was taken
    /// over or closed meanwhile (the hand-back then says the resume was not applied, so the session grain keeps them).</summary>
    public bool Resume(SessionResume resume, bool moved)
    {
        lock (_lock)
        {
            if (!_delivery.IsOpen)
            {
                return false;
            }

            _delivery.Resume(
                resume.Inflight.Select(m => (m.PacketId, PendingDelivery.From(m), m.Released)),
                resume.Queued.Select(PendingDelivery.From),
                moved);
            _resumeApplied = true;
            return true;
        }
    }

    /// <summary>Live messages for new subscriptions wait until the SUBACK and the retained messages are out.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _delivery.Hold();
        }
    }

    /// <summary>Sends the SUBACK, then the retained messages of the new subscriptions, then what was held.</summary>
    public void SendSubAckThenRetained(MqttSubAckPacket subAck, IEnumerable<PendingDelivery> retained)
    {
        lock (_lock)
        {
            _sender.Send(subAck);
            _delivery.SendRetainedThenHeld(retained);
        }
    }

    /// <summary>
    /// Stops deliveries and collects, once, what the client has not acknowledged: <paramref name="collect"/> turns it
    /// into the hand-back (told whether the resume was applied); a later call, a takeover racing the disconnect,
    /// gets the same hand-back.
    /// </summary>
    public SessionHandoff HandBack(Func<List<InflightEntry<PendingDelivery>>, List<PendingDelivery>, bool, SessionHandoff> collect)
    {
        lock (_lock)
        {
            if (_handoff is null)
            {
                var (inflight, pending) = _delivery.Drain();
                _handoff = collect(inflight, pending, _resumeApplied);
            }

            return _handoff;
        }
    }

    public void OnPubAck(MqttPubAckPacket pubAck)
    {
        lock (_lock)
        {
            AcknowledgementRules.Check(pubAck, _delivery.Inflight(pubAck.PacketIdentifier));
            _delivery.OnPubAck(pubAck.PacketIdentifier);
        }
    }

    public void OnPubRec(MqttPubRecPacket pubRec)
    {
        lock (_lock)
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

    public void OnPubComp(MqttPubCompPacket pubComp)
    {
        lock (_lock)
        {
            AcknowledgementRules.Check(pubComp, _delivery.Inflight(pubComp.PacketIdentifier));
            _delivery.OnPubComp(pubComp.PacketIdentifier);
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
        var client = _client;
        if (!client.Access.CanReceive(delivery.Message.Topic))
        {
            _services.Metrics.MessagesDropped(DropReasons.NotAuthorized);
            return false;
        }

        if (client.MaximumPacketSize > 0 && PublishPacketSize.Of(delivery, _aliases) > client.MaximumPacketSize)
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

    void ISessionDeliveryOutput<PendingDelivery>.SendPublish(PendingDelivery delivery, ushort packetId, bool duplicate)
    {
        _services.Metrics.MessageSent(delivery.QualityOfService, delivery.Message.Payload.Length);
        var traceParent = delivery.SendSpan is { } sendSpan
            ? MessageTracing.RecordSend(sendSpan, delivery.Message.Topic, _connection.ClientId, delivery.QualityOfService)
            : null;
        var packet = PublishPacketConversion.ToPublishPacket(
            delivery.Message, delivery.QualityOfService, delivery.Retain, delivery.SubscriptionIdentifiers, packetId, NowUnixMilliseconds, traceParent);
        packet.Dup = duplicate;
        if (IsV5)
        {
            _aliases.Apply(packet);
        }

        _sender.Send(packet);
    }

    void ISessionDeliveryOutput<PendingDelivery>.SendPubRel(ushort packetId) =>
        _sender.Send(new MqttPubRelPacket { PacketIdentifier = packetId });

    void ISessionDeliveryOutput<PendingDelivery>.Drop(string reason, string detail) => CountDrop(reason, detail);

    private void CountDrop(string reason, string detail)
    {
        _services.Metrics.MessagesDropped(reason);

        // Logged on the first drop and then every 1000th, so a stuck client cannot flood the log.
        var dropped = ++_droppedMessages;
        if (dropped == 1 || dropped % 1000 == 0)
        {
            ConnectionLog.MessagesDropped(_services.Logger, _connection.ClientId, dropped, detail);
        }
    }
}
