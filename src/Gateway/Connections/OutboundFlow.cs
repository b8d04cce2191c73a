namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Server-to-client QoS 1/2 flow of one connection: packet identifiers, the in-flight window (the client's receive
/// maximum, [MQTT-3.3.4-9]) and the bounded queue behind it. A resumed session's unacknowledged messages keep their
/// packet ids and wait for room in the window like anything else (the client's quota starts afresh on a new
/// connection, 4.9). Not thread-safe: the connection calls it under its lock.
/// </summary>
internal sealed class OutboundFlow(int window, int maxQueued)
{
    private readonly Dictionary<ushort, InflightMessage> _inflight = [];
    private readonly Queue<PendingDelivery> _pending = new();
    private readonly Queue<ushort> _resends = new();
    private ushort _lastPacketId;
    private long _sequence;
    private int _awaitingResend;
    private readonly Dictionary<string, int> _pendingPerTopic = new(StringComparer.Ordinal);

    public int InflightCount => _inflight.Count;

    /// <summary>Waiting for room in the window: re-sends of a resumed session, then new deliveries.</summary>
    public int QueuedCount => _pending.Count + _awaitingResend;

    /// <summary>Fewer PUBLISH packets sent and unacknowledged than the window allows (re-sends not yet sent hold
    /// their packet ids but no room).</summary>
    /// <summary>Whether messages of <paramref name="topic"/> wait in the queue (a QoS 0 one must wait behind them).</summary>
    public bool HasQueued(string topic) => _pendingPerTopic.ContainsKey(topic);

    public bool HasRoom => _inflight.Count - _awaitingResend < window;

    /// <summary>Queues a delivery behind a full window; false when the queue limit drops it.</summary>
    public bool TryQueue(PendingDelivery delivery, bool ignoreLimit = false)
    {
        if (!ignoreLimit && _pending.Count >= maxQueued)
        {
            return false;
        }

        _pending.Enqueue(delivery);
        _pendingPerTopic[delivery.Message.Topic] = _pendingPerTopic.GetValueOrDefault(delivery.Message.Topic) + 1;
        return true;
    }

    /// <summary>The next queued delivery that may go now: a QoS 0 one needs no room in the window, but waits
    /// for what is queued before it (order per topic).</summary>
    public bool TryDequeue(out PendingDelivery? delivery)
    {
        if (_awaitingResend == 0 && _pending.TryPeek(out var next) && (next.QualityOfService == 0 || HasRoom))
        {
            delivery = _pending.Dequeue();
            var left = _pendingPerTopic[delivery.Message.Topic] - 1;
            if (left == 0)
            {
                _pendingPerTopic.Remove(delivery.Message.Topic);
            }
            else
            {
                _pendingPerTopic[delivery.Message.Topic] = left;
            }

            return true;
        }

        delivery = null;
        return false;
    }

    /// <summary>A packet identifier not used by any message in flight [MQTT-2.2.1-3].</summary>
    public ushort NextPacketId()
    {
        do
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
        }
        while (_inflight.ContainsKey(_lastPacketId));

        return _lastPacketId;
    }

    /// <summary>Records a message as sent with <paramref name="packetId"/> (new, or kept from the previous
    /// connection of a resumed session).</summary>
    public InflightMessage Track(ushort packetId, PendingDelivery delivery)
    {
        var message = new InflightMessage(delivery, ++_sequence);
        _inflight[packetId] = message;
        return message;
    }

    /// <summary>
    /// Records an unacknowledged message of the session's previous connection under its packet id
    /// [MQTT-4.4.0-1]: a PUBLISH to be re-sent once the window has room (<see cref="TryDequeueResend"/>), or a
    /// released QoS 2 message whose PUBREL the caller sends at once.
    /// </summary>
    public InflightMessage TrackForResend(ushort packetId, PendingDelivery delivery, bool released)
    {
        var message = Track(packetId, delivery);
        message.Released = released;
        if (!released)
        {
            message.AwaitingResend = true;
            _awaitingResend++;
            _resends.Enqueue(packetId);
        }

        return message;
    }

    /// <summary>The next PUBLISH to re-send, in the original order, when the window has room.</summary>
    public bool TryDequeueResend(out ushort packetId, out InflightMessage? message)
    {
        while (HasRoom && _resends.TryDequeue(out packetId))
        {
            if (_inflight.TryGetValue(packetId, out message) && message.AwaitingResend)
            {
                message.AwaitingResend = false;
                _awaitingResend--;
                return true;
            }
        }

        packetId = 0;
        message = null;
        return false;
    }

    /// <summary>The QoS 1/2 message in flight under <paramref name="packetId"/>, if any.</summary>
    public InflightMessage? Inflight(ushort packetId) => _inflight.GetValueOrDefault(packetId);

    /// <summary>PUBACK: completes a QoS 1 message. False when no such message is in flight.</summary>
    public bool Acknowledge(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var message) && message.QualityOfService == 1 && Remove(packetId);

    /// <summary>PUBREC: marks a QoS 2 message released. False when no such message is in flight.</summary>
    public bool Receive(ushort packetId)
    {
        if (_inflight.TryGetValue(packetId, out var message) && message.QualityOfService == 2)
        {
            message.Released = true;
            return true;
        }

        return false;
    }

    /// <summary>PUBREC with an error reason (v5): the client refused the message; the flow ends.</summary>
    public bool Abandon(ushort packetId) => Remove(packetId);

    /// <summary>PUBCOMP: completes a released QoS 2 message.</summary>
    public bool Complete(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var message) && message.Released && Remove(packetId);

    /// <summary>Everything unfinished, for the session to keep: in flight in send order, then the queue.</summary>
    public (IReadOnlyList<(ushort PacketId, InflightMessage Message)> Inflight, IReadOnlyList<PendingDelivery> Pending) Drain()
    {
        var inflight = _inflight.OrderBy(e => e.Value.Sequence).Select(e => (e.Key, e.Value)).ToList();
        var pending = _pending.ToList();
        _inflight.Clear();
        _pending.Clear();
        _resends.Clear();
        _awaitingResend = 0;
        return (inflight, pending);
    }

    private bool Remove(ushort packetId)
    {
        if (!_inflight.Remove(packetId, out var message))
        {
            return false;
        }

        if (message.AwaitingResend)
        {
            message.AwaitingResend = false;
            _awaitingResend--;
        }

        return true;
    }
}
