using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The bridge's client session towards the remote for what it sends: which outbox messages are in flight under which
/// packet identifier, and whether a QoS 2 one awaits PUBREC or (released) PUBCOMP. The state lives on the outbox's
/// messages (<see cref="BridgeQueuedMessage.PacketId"/>, <see cref="BridgeQueuedMessage.Released"/>), so it is
/// stored with the queue and outlives connections and restarts; this indexes it by identifier. Messages start in the
/// outbox's order, up to the window (the remote's Receive Maximum) in flight; PUBRELs go in the order of their
/// PUBRECs, which come in the order of the PUBLISHes [MQTT-4.6.0-3, MQTT-4.6.0-4]. Used on the grain's scheduler only.
/// </summary>
internal sealed class BridgeOutgoingSession
{
    private readonly BridgeOutbox _outbox;
    private readonly Dictionary<ushort, LinkedListNode<BridgeQueuedMessage>> _inflight = [];

    // The connection-state notifications: QoS 1, counted in the window, not in the outbox.
    private readonly HashSet<ushort> _notifications = [];
    private int _awaitingPubRec;

    public BridgeOutgoingSession(BridgeOutbox outbox)
    {
        _outbox = outbox;
        for (var node = outbox.First; node is not null; node = node.Next)
        {
            if (node.Value.PacketId != 0)
            {
                Track(node);
            }
        }
    }

    public BridgePacketIds Ids { get; } = new();

    /// <summary>QoS 1/2 messages sent and not yet acknowledged to the end (PUBACK, PUBCOMP).</summary>
    public int InFlight => _inflight.Count + _notifications.Count;

    /// <summary>
    /// A new connection: with the session present at the remote, what was in flight goes again under its identifier,
    /// in order — PUBREL for the released, PUBLISH with DUP for the others [MQTT-4.4.0-1]. Without it the remote knows
    /// none of them: a released message was the remote's since its PUBREC (it is done, and returned in
    /// <paramref name="completed"/>); the others start again as new PUBLISHes.
    /// </summary>
    public List<MqttPacket> Resume(bool sessionPresent, bool mqtt5, long nowUnixMilliseconds, List<BridgeQueuedMessage> completed)
    {
        foreach (var id in _notifications)
        {
            Ids.Release(id);
        }

        _notifications.Clear();
        var again = new List<MqttPacket>();
        var remaining = _inflight.Count;
        for (var node = _outbox.First; node is not null && remaining > 0;)
        {
            var next = node.Next;
            var message = node.Value;
            if (message.PacketId != 0)
            {
                remaining--;
                if (sessionPresent)
                {
                    again.Add(message.Released
                        ? new MqttPubRelPacket { PacketIdentifier = message.PacketId }
                        : Publish(message, mqtt5, nowUnixMilliseconds, dup: true));
                }
                else if (message.Released)
                {
                    _outbox.Remove(node);
                    completed.Add(message);
                }
                else
                {
                    node.Value = message with { PacketId = 0 };
                }
            }

            node = next;
        }

        if (!sessionPresent)
        {
            _inflight.Clear();
            Ids.Clear();
            _awaitingPubRec = 0;
        }

        return again;
    }

    /// <summary>
    /// The next outbox message that may start now, or null: the first not started, if the window has room for it. A
    /// QoS 0/1 message also waits while a QoS 2 message before it awaits PUBREC, since the remote may hand that one on
    /// only at its PUBREL and the order would change.
    /// </summary>
    public LinkedListNode<BridgeQueuedMessage>? Next(int window)
    {
        var node = _outbox.First;
        while (node is not null && node.Value.PacketId != 0)
        {
            node = node.Next;
        }

        if (node is null || (node.Value.Qos < 2 && _awaitingPubRec > 0) || (node.Value.Qos > 0 && InFlight >= window))
        {
            return null;
        }

        return node;
    }

    /// <summary>Starts <paramref name="node"/>: its PUBLISH, under a new identifier (QoS 1/2; a QoS 0 message leaves the outbox).</summary>
    public MqttPublishPacket Start(LinkedListNode<BridgeQueuedMessage> node, bool mqtt5, long nowUnixMilliseconds)
    {
        if (node.Value.Qos == 0)
        {
            _outbox.Remove(node);
            return Publish(node.Value, mqtt5, nowUnixMilliseconds, dup: false);
        }

        node.Value = node.Value with { PacketId = Ids.Take() };
        Track(node);
        return Publish(node.Value, mqtt5, nowUnixMilliseconds, dup: false);
    }

    /// <summary>A connection-state notification (QoS 1, retained) under a new identifier.</summary>
    public MqttPublishPacket Notification(string topic, bool up)
    {
        var id = Ids.Take();
        _notifications.Add(id);
        return new MqttPublishPacket
        {
            Topic = topic,
            PayloadSegment = new ArraySegment<byte>(BridgeMessageConversion.StatePayload(up)),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            Retain = true,
            PacketIdentifier = id,
        };
    }

    /// <summary>PUBACK: the QoS 1 message is done (and leaves the outbox); null for a notification or an unknown id.</summary>
    public (BridgeQueuedMessage Message, bool Accepted)? Acknowledged(MqttPubAckPacket ack)
    {
        if (_notifications.Remove(ack.PacketIdentifier))
        {
            Ids.Release(ack.PacketIdentifier);
            return null;
        }

        return _inflight.TryGetValue(ack.PacketIdentifier, out var node) && node.Value.Qos == 1
            ? Finish(node, (int)ack.ReasonCode < 0x80)
            : null;
    }

    /// <summary>
    /// PUBREC: the QoS 2 message is the remote's now and is released (the PUBREL to send is returned); refused
    /// (MQTT 5 reason of 0x80 or more), it is done without PUBREL [MQTT-4.3.3-4].
    /// </summary>
    public (MqttPubRelPacket? Release, (BridgeQueuedMessage Message, bool Accepted)? Done) Received(MqttPubRecPacket received)
    {
        if (!_inflight.TryGetValue(received.PacketIdentifier, out var node) || node.Value.Qos != 2)
        {
            return (null, null);
        }

        if (!node.Value.Released)
        {
            _awaitingPubRec--;
            if ((int)received.ReasonCode >= 0x80)
            {
                return (null, Finish(node, accepted: false));
            }

            node.Value = node.Value with { Released = true };
        }

        return (new MqttPubRelPacket { PacketIdentifier = received.PacketIdentifier }, null);
    }

    /// <summary>PUBCOMP: the released QoS 2 message is done (and leaves the outbox).</summary>
    public (BridgeQueuedMessage Message, bool Accepted)? Completed(MqttPubCompPacket completed) =>
        _inflight.TryGetValue(completed.PacketIdentifier, out var node) && node.Value.Released
            ? Finish(node, accepted: true)
            : null;

    private void Track(LinkedListNode<BridgeQueuedMessage> node)
    {
        _inflight[node.Value.PacketId] = node;
        Ids.Keep(node.Value.PacketId);
        if (node.Value.Qos == 2 && !node.Value.Released)
        {
            _awaitingPubRec++;
        }
    }

    private (BridgeQueuedMessage, bool) Finish(LinkedListNode<BridgeQueuedMessage> node, bool accepted)
    {
        var message = node.Value;
        _inflight.Remove(message.PacketId);
        Ids.Release(message.PacketId);
        _outbox.Remove(node);
        return (message, accepted);
    }

    private static MqttPublishPacket Publish(BridgeQueuedMessage message, bool mqtt5, long nowUnixMilliseconds, bool dup)
    {
        var packet = BridgeMessageConversion.ToRemote(message, mqtt5, nowUnixMilliseconds);
        packet.PacketIdentifier = message.PacketId;
        packet.Dup = dup;
        return packet;
    }
}
