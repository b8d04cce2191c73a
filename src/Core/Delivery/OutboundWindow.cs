namespace MqttCluster.Core.Delivery;

/// <summary>
/// Server-to-client QoS 1/2 flow of one connection: packet identifiers, the in-flight window (the client's receive
/// maximum, [MQTT-3.3.4-9]) and the bounded queue behind it. A resumed session's unacknowledged messages keep their
/// packet ids and wait for room in the window like anything else (the client's quota starts afresh on a new
/// connection, 4.9). Not thread-safe.
/// </summary>
internal sealed class OutboundWindow<T>(int window, int maxQueued)
    where T : IOutboundDelivery
{
    private readonly Dictionary<ushort, InflightEntry<T>> _inflight = [];
    private readonly Queue<T> _pending = new();
    // Created on first use: an idle connection has nothing queued and nothing to send again.
    private Queue<ushort>? _resends;
    private Dictionary<string, int>? _pendingPerTopic;
    private ushort _lastPacketId;
    private long _sequence;
    private int _awaitingResend;

    public int InflightCount => _inflight.Count;

    /// <summary>Waiting for room in the window: re-sends of a resumed session, then new deliveries.</summary>
    public int QueuedCount => _pending.Count + _awaitingResend;

    /// <summary>Whether messages of <paramref name="topic"/> wait in the queue (a QoS 0 one must wait behind them).</summary>
    public bool HasQueued(string topic) => _pendingPerTopic?.ContainsKey(topic) ?? false;

    /// <summary>Fewer PUBLISH packets sent and unacknowledged than the window allows (re-sends not yet sent hold
    /// their packet ids but no room).</summary>
    public bool HasRoom => _inflight.Count - _awaitingResend < window;

    /// <summary>Queues a delivery behind a full window; false when the queue limit drops it.</summary>
    public bool TryQueue(T delivery, bool ignoreLimit)
    {
        if (!ignoreLimit && _pending.Count >= maxQueued)
        {
            return false;
        }

        _pending.Enqueue(delivery);
        var perTopic = _pendingPerTopic ??= new(StringComparer.Ordinal);
        perTopic[delivery.Topic] = perTopic.GetValueOrDefault(delivery.Topic) + 1;
        return true;
    }

    /// <summary>The next queued delivery that may go now: a QoS 0 one needs no room in the window, but waits
    /// for what is queued before it (order per topic).</summary>
    public bool TryDequeue(out T delivery)
    {
        if (_awaitingResend == 0 && _pending.TryPeek(out var next) && (next.QualityOfService == 0 || HasRoom))
        {
            delivery = _pending.Dequeue();
            var perTopic = _pendingPerTopic!;
            var left = perTopic[delivery.Topic] - 1;
            if (left == 0)
            {
                perTopic.Remove(delivery.Topic);
            }
            else
            {
                perTopic[delivery.Topic] = left;
            }

            return true;
        }

        delivery = default!;
        return false;
    }

    /// <summary>Records a new message as sent under a packet identifier no message in flight uses [MQTT-2.2.1-3].</summary>
    public ushort Track(T delivery)
    {
        do
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
        }
        while (_inflight.ContainsKey(_lastPacketId));

        _inflight[_lastPacketId] = new InflightEntry<T>(_lastPacketId, delivery, ++_sequence);
        return _lastPacketId;
    }

    /// <summary>
    /// Records an unacknowledged message of the session's previous connection under its packet id
    /// [MQTT-4.4.0-1]: a PUBLISH to be re-sent once the window has room (<see cref="TryDequeueResend"/>), or a
    /// released QoS 2 message whose PUBREL the caller sends at once. False when the id is taken already.
    /// </summary>
    public bool TrackForResend(ushort packetId, T delivery, bool released)
    {
        if (packetId == 0 || _inflight.ContainsKey(packetId))
        {
            return false;
        }

        var entry = new InflightEntry<T>(packetId, delivery, ++_sequence) { Released = released };
        _inflight[packetId] = entry;
        if (!released)
        {
            entry.AwaitingResend = true;
            _awaitingResend++;
            (_resends ??= new()).Enqueue(packetId);
        }

        return true;
    }

    /// <summary>The next PUBLISH to re-send, in the original order, when the window has room.</summary>
    public bool TryDequeueResend(out InflightEntry<T>? entry)
    {
        while (HasRoom && _resends is not null && _resends.TryDequeue(out var packetId))
        {
            if (_inflight.TryGetValue(packetId, out entry) && entry.AwaitingResend)
            {
                entry.AwaitingResend = false;
                _awaitingResend--;
                return true;
            }
        }

        entry = null;
        return false;
    }

    /// <summary>The QoS 1/2 message in flight under <paramref name="packetId"/>, if any.</summary>
    public InflightEntry<T>? Inflight(ushort packetId) => _inflight.GetValueOrDefault(packetId);

    /// <summary>PUBACK: completes a QoS 1 message. False when no such message is in flight.</summary>
    public bool Acknowledge(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var entry) && entry.QualityOfService == 1 && Remove(packetId);

    /// <summary>PUBREC: marks a QoS 2 message released. False when no such message is in flight.</summary>
    public bool Receive(ushort packetId)
    {
        if (_inflight.TryGetValue(packetId, out var entry) && entry.QualityOfService == 2)
        {
            entry.Released = true;
            return true;
        }

        return false;
    }

    /// <summary>PUBREC with an error reason (v5): the client refused the message; the flow ends.</summary>
    public bool Abandon(ushort packetId) => Remove(packetId);

    /// <summary>PUBCOMP: completes a released QoS 2 message.</summary>
    public bool Complete(ushort packetId) =>
        _inflight.TryGetValue(packetId, out var entry) && entry.Released && Remove(packetId);

    /// <summary>Everything unfinished, and forgets it: in flight in send order, then the queue.</summary>
    public (List<InflightEntry<T>> Inflight, List<T> Pending) Drain()
    {
        var inflight = _inflight.Values.OrderBy(e => e.Sequence).ToList();
        var pending = _pending.ToList();
        _inflight.Clear();
        _pending.Clear();
        _pendingPerTopic = null;
        _resends = null;
        _awaitingResend = 0;
        return (inflight, pending);
    }

    private bool Remove(ushort packetId)
    {
        if (!_inflight.Remove(packetId, out var entry))
        {
            return false;
        }

        if (entry.AwaitingResend)
        {
            entry.AwaitingResend = false;
            _awaitingResend--;
        }

        return true;
    }
}
