namespace MqttCluster.Core.Delivery;

/// <summary>
/// A session's broker-to-client delivery state while one connection serves it: the in-flight window with its packet
/// ids, the queue behind it, a resumed session's re-sends, live messages held while what must precede them goes
/// out, the <see cref="DeliveryLedger"/> every path passes once (QoS 0 included: at most once), and flow control towards the publishers. Pure
/// state: the connection writes the packets it asks for (<see cref="ISessionDeliveryOutput{T}"/>) and calls it under
/// one lock. Order: per topic, as offered [MQTT-4.6.0-6]; a resume's re-sends and stored messages before live ones.
/// </summary>
public sealed class SessionDelivery<T>
    where T : IOutboundDelivery
{
    private readonly OutboundWindow<T> _window;
    private readonly int _maxQueued;
    private readonly SubscriberFlowControl _flowControl;
    private readonly ISessionDeliveryOutput<T> _output;
    private List<(T Delivery, DeliveryOrigin Origin)>? _held;
    private bool _open;

    public SessionDelivery(int window, int maxQueued, SubscriberFlowControl flowControl, ISessionDeliveryOutput<T> output, TimeProvider timeProvider)
    {
        _window = new OutboundWindow<T>(window, maxQueued);
        _maxQueued = maxQueued;
        _flowControl = flowControl;
        _output = output;
        Ledger = new DeliveryLedger(timeProvider);
    }

    public DeliveryLedger Ledger { get; }

    /// <summary>Whether the connection serves the session: between <see cref="Open"/> and <see cref="Drain"/>.</summary>
    public bool IsOpen => _open;

    public int InflightCount => _window.InflightCount;

    /// <summary>Waiting for room in the window (re-sends and queued deliveries).</summary>
    public int QueuedCount => _window.QueuedCount;

    /// <summary>Whether deliveries should wait for <see cref="WhenRelieved"/> before being answered.</summary>
    public bool IsCongested => _flowControl.IsCongested(_window.QueuedCount, _window.InflightCount);

    public Task WhenRelieved() => _open && IsCongested ? _flowControl.WhenRelieved() : Task.CompletedTask;

    /// <summary>The connection took the session: deliveries are taken, live and rescued ones held until
    /// <see cref="Resume"/>.</summary>
    public void Open()
    {
        _open = true;
        _held = [];
    }

    /// <summary>A SUBSCRIBE is being made: live and rescued messages wait until its SUBACK and retained messages
    /// are out.</summary>
    public void Hold() => _held ??= [];

    /// <summary>Offers one message to the client.</summary>
    public OfferOutcome Offer(T delivery, DeliveryOrigin origin)
    {
        if (!_open)
        {
            return OfferOutcome.Closed;
        }

        if (_held is not null && origin is DeliveryOrigin.Live or DeliveryOrigin.Rescued)
        {
            if (!delivery.IsShared && Ledger.Contains(delivery.MessageId))
            {
                return OfferOutcome.Duplicate;
            }

            _held.Add((delivery, origin));
            return OfferOutcome.Held;
        }

        if (IsDuplicate(delivery, origin))
        {
            return OfferOutcome.Duplicate;
        }

        return Enqueue(delivery, ignoreLimit: origin != DeliveryOrigin.Live);
    }

    /// <summary>
    /// A resumed session's leftovers, before any live traffic: the previous connection's unacknowledged messages
    /// again with DUP and their packet ids (PUBREL where PUBREC had arrived) [MQTT-4.4.0-1], then what was queued
    /// offline, then the live messages held meanwhile, each message once. Re-sent PUBLISH packets count against the
    /// client's receive maximum like new ones [MQTT-3.3.4-9]. <paramref name="moved"/>: the session had a connection
    /// before this one, whose messages can still be rescued to this one, so the ledger's horizon opens.
    /// </summary>
    public void Resume(IEnumerable<(ushort PacketId, T Delivery, bool Released)> inflight, IEnumerable<T> queued, bool moved)
    {
        if (moved)
        {
            Ledger.OpenHorizon();
        }

        var requeued = new List<T>();
        foreach (var (packetId, delivery, released) in inflight)
        {
            if (!Ledger.RecordOutOfBand(delivery.MessageId))
            {
                continue;
            }

            if (!_window.TrackForResend(packetId, delivery, released))
            {
                requeued.Add(delivery);
            }
            else if (released)
            {
                _output.SendPubRel(packetId);
            }
        }

        SendQueued();
        foreach (var delivery in requeued.Concat(queued))
        {
            Offer(delivery, DeliveryOrigin.Stored);
        }

        ReleaseHeld();
    }

    /// <summary>
    /// A new subscription's retained messages, then the live messages held while it was made. Retained messages are
    /// bounded by the number of matching retained topics, so they bypass the queue limit; one that is among the held
    /// live messages is sent only live [MQTT-3.3.1-6], and a live copy that comes later is not sent again.
    /// </summary>
    public void SendRetainedThenHeld(IEnumerable<T> retained)
    {
        if (!_open)
        {
            return;
        }

        var heldIds = _held is { Count: > 0 } held ? held.Select(h => h.Delivery.MessageId).ToHashSet() : null;
        foreach (var delivery in retained)
        {
            if (heldIds is null || !heldIds.Contains(delivery.MessageId))
            {
                Offer(delivery, DeliveryOrigin.Retained);
            }
        }

        ReleaseHeld();
    }

    /// <summary>The QoS 1/2 message in flight under <paramref name="packetId"/>, if any.</summary>
    public InflightEntry<T>? Inflight(ushort packetId) => _window.Inflight(packetId);

    /// <summary>PUBACK; false for an id with no QoS 1 message in flight.</summary>
    public bool OnPubAck(ushort packetId) => Progress(_window.Acknowledge(packetId));

    /// <summary>PUBREC; false for an id with no QoS 2 message in flight. <paramref name="refused"/>: a v5 error
    /// reason, which ends the flow [MQTT-4.3.3-4].</summary>
    public bool OnPubRec(ushort packetId, bool refused)
    {
        _flowControl.OnProgress();
        return refused ? Progress(_window.Abandon(packetId)) : _window.Receive(packetId);
    }

    /// <summary>PUBCOMP; false for an id with no released QoS 2 message in flight.</summary>
    public bool OnPubComp(ushort packetId) => Progress(_window.Complete(packetId));

    /// <summary>
    /// The connection stops serving the session: takes nothing more, releases the publishers waiting on it and
    /// returns what the client has not acknowledged (in flight in send order, then queued and held messages), each
    /// message once.
    /// </summary>
    public (List<InflightEntry<T>> Inflight, List<T> Pending) Drain()
    {
        _open = false;
        _flowControl.Update(0, ending: true);
        var (inflight, pending) = _window.Drain();
        if (_held is not null)
        {
            pending.AddRange(_held.Select(h => h.Delivery));
            _held = null;
        }

        var handedBack = inflight.Select(e => e.Delivery.MessageId).ToHashSet();
        pending.RemoveAll(d => !d.IsShared && !handedBack.Add(d.MessageId));
        return (inflight, pending);
    }

    private bool IsDuplicate(T delivery, DeliveryOrigin origin)
    {
        if (delivery.IsShared)
        {
            return false;
        }

        if (origin == DeliveryOrigin.Retained)
        {
            // A retained copy always goes out (each SUBSCRIBE gets the retained messages again); recorded, so a
            // live copy of the same PUBLISH that comes later is not sent twice.
            Ledger.RecordOutOfBand(delivery.MessageId);
            return false;
        }

        return origin == DeliveryOrigin.Live
            ? !Ledger.RecordLive(delivery.MessageId)
            : !Ledger.RecordOutOfBand(delivery.MessageId);
    }

    private void ReleaseHeld()
    {
        var held = _held;
        _held = null;
        foreach (var (delivery, origin) in held ?? [])
        {
            Offer(delivery, origin);
        }
    }

    private OfferOutcome Enqueue(T delivery, bool ignoreLimit)
    {
        if (!_output.Admit(delivery))
        {
            return OfferOutcome.Dropped;
        }

        if (delivery.QualityOfService == 0)
        {
            // QoS 0 may be lost; a client that stopped reading loses it rather than growing our memory.
            if (!ignoreLimit && _output.UnsentCount >= _maxQueued)
            {
                _output.Drop(Telemetry.DropReasons.QueueFull, "send queue full");
                return OfferOutcome.Dropped;
            }

            // Behind QoS 1/2 messages of its topic still waiting for the window: a topic keeps its order
            // [MQTT-4.6.0-6]; other topics' QoS 0 messages need not wait.
            if (!_window.HasQueued(delivery.Topic))
            {
                _output.SendPublish(delivery, 0, duplicate: false);
                return OfferOutcome.Accepted;
            }
        }
        else if (_window.HasRoom && _window.QueuedCount == 0)
        {
            SendInflight(delivery);
            return OfferOutcome.Accepted;
        }

        if (_window.TryQueue(delivery, ignoreLimit || (delivery.QualityOfService > 0 && _flowControl.HoldsPublishers(_window.InflightCount))))
        {
            return OfferOutcome.Accepted;
        }

        _output.Drop(Telemetry.DropReasons.QueueFull, "in-flight window and queue full");
        return OfferOutcome.Dropped;
    }

    private void SendInflight(T delivery)
    {
        if (_window.InflightCount == 0)
        {
            // The client owes no acknowledgement yet: its silence so far is not a stall.
            _flowControl.OnProgress();
        }

        _output.SendPublish(delivery, _window.Track(delivery), duplicate: false);
    }

    private bool Progress(bool known)
    {
        _flowControl.OnProgress();
        if (known)
        {
            SendQueued();
        }

        return known;
    }

    /// <summary>Moves re-sends, then queued deliveries, into the window as acknowledgements free it.</summary>
    private void SendQueued()
    {
        while (_window.TryDequeueResend(out var resend))
        {
            _output.SendPublish(resend!.Delivery, resend.PacketId, duplicate: true);
        }

        while (_window.TryDequeue(out var delivery))
        {
            if (_output.Expired(delivery))
            {
                continue;
            }

            if (delivery.QualityOfService == 0)
            {
                _output.SendPublish(delivery, 0, duplicate: false);
            }
            else
            {
                SendInflight(delivery);
            }
        }

        _flowControl.Update(_window.QueuedCount);
    }
}
