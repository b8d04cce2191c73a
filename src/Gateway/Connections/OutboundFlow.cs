namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Server-to-client QoS 1/2 flow of one connection: packet identifiers, the in-flight window (the client's receive
/// maximum, [MQTT-3.3.4-9]) and the bounded queue behind it. Not thread-safe: the connection calls it under its lock.
/// </summary>
internal sealed class OutboundFlow(int window, int maxQueued)
{
    private readonly Dictionary<ushort, InflightMessage> _inflight = [];
    private readonly Queue<PendingDelivery> _pending = new();
    private ushort _lastPacketId;
    private long _sequence;

    public int InflightCount => _inflight.Count;

    public int QueuedCount => _pending.Count;

    public bool HasRoom => _inflight.Count < window;

    /// <summary>Queues a delivery behind a full window; false when the queue limit drops it.</summary>
    public bool TryQueue(PendingDelivery delivery, bool ignoreLimit = false)
    {
        if (!ignoreLimit && _pending.Count >= maxQueued)
        {
            return false;
        }

        _pending.Enqueue(delivery);
        return true;
    }

    public bool TryDequeue(out PendingDelivery? delivery)
    {
        if (HasRoom && _pending.TryDequeue(out delivery))
        {
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

    /// <summary>PUBACK: completes a QoS 1 message. False when no such message is in flight.</summary>
    public bool Acknowledge(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var message) && message.QualityOfService == 1 && _inflight.Remove(packetId);

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
    public bool Abandon(ushort packetId) => _inflight.Remove(packetId);

    /// <summary>PUBCOMP: completes a released QoS 2 message.</summary>
    public bool Complete(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var message) && message.Released && _inflight.Remove(packetId);

    /// <summary>Everything unfinished, for the session to keep: in flight in send order, then the queue.</summary>
    public (IReadOnlyList<(ushort PacketId, InflightMessage Message)> Inflight, IReadOnlyList<PendingDelivery> Pending) Drain()
    {
        var inflight = _inflight.OrderBy(e => e.Value.Sequence).Select(e => (e.Key, e.Value)).ToList();
        var pending = _pending.ToList();
        _inflight.Clear();
        _pending.Clear();
        return (inflight, pending);
    }
}
