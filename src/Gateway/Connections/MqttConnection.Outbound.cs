using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Broker-to-client delivery: QoS 0 straight to the send queue, QoS 1/2 through the in-flight window.</summary>
public sealed partial class MqttConnection
{
    /// <inheritdoc />
    public void Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers) =>
        Enqueue(message, qos, retain, subscriptionIdentifiers, isRetainedForNewSubscription: false);

    /// <summary>
    /// Queues a message for the client. Retained messages sent for a new subscription are bounded by the number of
    /// matching retained topics, so they bypass the slow-consumer limits that protect against live traffic.
    /// </summary>
    private void Enqueue(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, bool isRetainedForNewSubscription)
    {
        var now = NowUnixMilliseconds;
        lock (_outboundLock)
        {
            if (!_connected)
            {
                return;
            }

            if (PublishPacketConversion.IsExpired(message, now))
            {
                return;
            }

            if (_clientMaximumPacketSize > 0 && PublishPacketConversion.EstimateSize(message) > _clientMaximumPacketSize)
            {
                // Too large for this v5 client: discarded as if delivered [MQTT-3.1.2-25].
                CountDrop("larger than the client's maximum packet size");
                return;
            }

            if (qos == 0)
            {
                // QoS 0 may be lost; a client that stopped reading loses it rather than growing our memory.
                if (!isRetainedForNewSubscription && _sender.QueuedCount >= _services.Options.MaxQueuedMessages)
                {
                    CountDrop("send queue full");
                    return;
                }

                _sender.Send(PublishPacketConversion.ToPublishPacket(message, 0, retain, subscriptionIdentifiers, 0, now));
                return;
            }

            var delivery = new PendingDelivery(message, qos, retain, subscriptionIdentifiers);
            if (_outbound.HasRoom && _outbound.QueuedCount == 0)
            {
                SendInflight(delivery, now);
            }
            else if (!_outbound.TryQueue(delivery, ignoreLimit: isRetainedForNewSubscription))
            {
                CountDrop("in-flight window and queue full");
            }
        }
    }

    private void SendInflight(PendingDelivery delivery, long now)
    {
        var packetId = _outbound.NextPacketId();
        var packet = PublishPacketConversion.ToPublishPacket(
            delivery.Message, delivery.QualityOfService, delivery.Retain, delivery.SubscriptionIdentifiers, packetId, now);
        _outbound.Track(packetId, new InflightMessage(packet));
        _sender.Send(packet);
    }

    /// <summary>Moves queued deliveries into the window as acknowledgements free it.</summary>
    private void SendQueuedLocked()
    {
        var now = NowUnixMilliseconds;
        while (_outbound.TryDequeue(out var delivery))
        {
            if (!PublishPacketConversion.IsExpired(delivery.Message, now))
            {
                SendInflight(delivery, now);
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
