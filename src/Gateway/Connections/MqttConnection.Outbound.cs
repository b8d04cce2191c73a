using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Broker-to-client delivery: QoS 0 straight to the send queue, QoS 1/2 through the in-flight window.</summary>
public sealed partial class MqttConnection
{
    private OutboundTopicAliases _outboundAliases = new(0);

    /// <summary>Ids of live messages delivered while a SUBSCRIBE is handled, so its retained messages are not
    /// sent a second time.</summary>
    private HashSet<Guid>? _liveSinceSubscribe;

    /// <summary>While a resumed session's stored messages are being sent, live deliveries wait here.</summary>
    private List<PendingDelivery>? _resumeBuffer;

    /// <inheritdoc />
    public void Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute)
    {
        var delivery = new PendingDelivery(message, qos, retain, subscriptionIdentifiers, sharedGroupRoute);
        lock (_outboundLock)
        {
            if (_resumeBuffer is not null)
            {
                _resumeBuffer.Add(delivery);
                return;
            }

            _liveSinceSubscribe?.Add(message.MessageId);
            EnqueueLocked(delivery, isStoredOrRetained: false);
        }
    }

    /// <summary>Retained messages for a new subscription: bounded by the number of matching retained topics, so
    /// they bypass the slow-consumer limits that protect against live traffic.</summary>
    private void DeliverRetained(BrokerMessage message, byte qos, IReadOnlyList<uint>? subscriptionIdentifiers)
    {
        lock (_outboundLock)
        {
            if (_liveSinceSubscribe?.Contains(message.MessageId) != true)
            {
                EnqueueLocked(new PendingDelivery(message, qos, true, subscriptionIdentifiers, null), isStoredOrRetained: true);
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
            return;
        }

        if (_clientMaximumPacketSize > 0 && PublishPacketConversion.EstimateSize(delivery.Message) > _clientMaximumPacketSize)
        {
            // Too large for this v5 client: discarded as if delivered [MQTT-3.1.2-25].
            CountDrop("larger than the client's maximum packet size");
            return;
        }

        if (delivery.QualityOfService == 0)
        {
            // QoS 0 may be lost; a client that stopped reading loses it rather than growing our memory.
            if (!isStoredOrRetained && _sender.QueuedCount >= _maxQueuedMessages)
            {
                CountDrop("send queue full");
                return;
            }

            _sender.Send(CreatePublishLocked(delivery, 0, now));
            return;
        }

        if (_outbound.HasRoom && _outbound.QueuedCount == 0)
        {
            SendInflightLocked(delivery, now);
        }
        else if (!_outbound.TryQueue(delivery, ignoreLimit: isStoredOrRetained))
        {
            CountDrop("in-flight window and queue full");
        }
    }

    private MqttPublishPacket CreatePublishLocked(PendingDelivery delivery, ushort packetId, long now)
    {
        var packet = PublishPacketConversion.ToPublishPacket(
            delivery.Message, delivery.QualityOfService, delivery.Retain, delivery.SubscriptionIdentifiers, packetId, now);
        if (IsV5)
        {
            _outboundAliases.Apply(packet);
        }

        return packet;
    }

    private void SendInflightLocked(PendingDelivery delivery, long now)
    {
        var packetId = _outbound.NextPacketId();
        _outbound.Track(packetId, delivery);
        _sender.Send(CreatePublishLocked(delivery, packetId, now));
    }

    /// <summary>Moves queued deliveries into the window as acknowledgements free it.</summary>
    private void SendQueuedLocked()
    {
        var now = NowUnixMilliseconds;
        while (_outbound.TryDequeue(out var delivery))
        {
            if (!PublishPacketConversion.IsExpired(delivery!.Message, now))
            {
                SendInflightLocked(delivery, now);
            }
        }
    }

    /// <summary>
    /// A resumed session's leftovers, before any live traffic: the previous connection's unacknowledged messages
    /// again with DUP and their packet ids (PUBREL where PUBREC had arrived) [MQTT-4.4.0-1], then what was queued
    /// offline, then live messages that arrived meanwhile, skipping those already among the stored ones.
    /// </summary>
    private void ReplayStoredLocked(SessionResume resume, List<PendingDelivery> live)
    {
        var now = NowUnixMilliseconds;
        var stored = new HashSet<Guid>();
        foreach (var message in resume.Inflight)
        {
            stored.Add(message.Message.MessageId);
            var delivery = PendingDelivery.From(message);
            var inflight = _outbound.Track(message.PacketId, delivery);
            if (message.Released)
            {
                inflight.Released = true;
                _sender.Send(new MqttPubRelPacket { PacketIdentifier = message.PacketId });
                continue;
            }

            var packet = CreatePublishLocked(delivery, message.PacketId, now);
            packet.Dup = true;
            _sender.Send(packet);
        }

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
    }

    private void OnPubAck(ushort packetId)
    {
        lock (_outboundLock)
        {
            if (_outbound.Acknowledge(packetId))
            {
                SendQueuedLocked();
            }
        }
    }

    private void OnPubRec(MqttPubRecPacket pubRec)
    {
        lock (_outboundLock)
        {
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

    private void OnPubComp(ushort packetId)
    {
        lock (_outboundLock)
        {
            if (_outbound.Complete(packetId))
            {
                SendQueuedLocked();
            }
        }
    }

    private void CountDrop(string reason)
    {
        // Logged on the first drop and then every 1000th, so a stuck client cannot flood the log.
        var dropped = ++_droppedMessages;
        if (dropped == 1 || dropped % 1000 == 0)
        {
            ConnectionLog.MessagesDropped(_services.Logger, ClientId, dropped, reason);
        }
    }
}
