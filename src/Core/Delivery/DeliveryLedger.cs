namespace MqttCluster.Core.Delivery;

/// <summary>
/// The one answer to "was this session given this QoS 1/2 message already?", for every path a message takes to a
/// connection: live fan-out, the stored messages of a resume, retained messages for a new subscription, and rescued
/// copies of a failed delivery. A copy can arrive twice only when one of them came out of band (stored, retained or
/// rescued) or a resume moved the session: the ledger opens a <see cref="Horizon"/> at such an event and, while it
/// is open, records every message id given and refuses a second copy. In steady state it holds nothing and costs a
/// field check per delivery. Bounded by <see cref="Capacity"/> ids; an id forgotten before the horizon passed is
/// counted in <see cref="ForgottenEarly"/>, since its second copy would no longer be recognised. Not thread-safe.
/// </summary>
public sealed class DeliveryLedger(TimeProvider timeProvider)
{
    /// <summary>How long a second copy of a message can follow the first (see <see cref="RedeliveryHorizon"/>).</summary>
    public static readonly TimeSpan Horizon = RedeliveryHorizon.Length;

    /// <summary>A bound on the memory of a session that receives a flood while the horizon is open.</summary>
    public const int Capacity = 16_384;

    // Allocated while the horizon is open, released when it passes: an idle connection holds none.
    private HashSet<Guid>? _ids;
    private Queue<(Guid Id, long At)>? _order;
    private long _closesAt;

    /// <summary>Ids recorded and forgotten for room while they could still have a second copy on its way.</summary>
    public long ForgottenEarly { get; private set; }

    /// <summary>Ids recorded now (tests and gauges).</summary>
    public int Count => _ids?.Count ?? 0;

    /// <summary>Opens (or extends) the horizon: from now on, every id given is recorded until it passes.</summary>
    public void OpenHorizon()
    {
        var now = timeProvider.GetTimestamp();
        _closesAt = Math.Max(_closesAt, now + (long)(Horizon.TotalSeconds * timeProvider.TimestampFrequency));
    }

    /// <summary>Whether the message was given to the session within the horizon.</summary>
    public bool Contains(Guid messageId) => _ids is not null && IsOpen() && _ids.Contains(messageId);

    /// <summary>
    /// Records a message given out of band (stored, retained, rescued) and opens the horizon: its other copies are
    /// recognised. False when it was given already.
    /// </summary>
    public bool RecordOutOfBand(Guid messageId)
    {
        OpenHorizon();
        return Record(messageId);
    }

    /// <summary>Records a live message while the horizon is open; false when it was given already.</summary>
    public bool RecordLive(Guid messageId) => _closesAt == 0 || !IsOpen() || Record(messageId);

    private bool Record(Guid messageId)
    {
        if (messageId == Guid.Empty)
        {
            return true;
        }

        _ids ??= [];
        _order ??= new Queue<(Guid Id, long At)>();
        if (!_ids.Add(messageId))
        {
            return false;
        }

        var now = timeProvider.GetTimestamp();
        _order.Enqueue((messageId, now));
        if (_order.Count > Capacity)
        {
            var (oldest, at) = _order.Dequeue();
            _ids.Remove(oldest);
            if (timeProvider.GetElapsedTime(at, now) < Horizon)
            {
                ForgottenEarly++;
            }
        }

        return true;
    }

    /// <summary>Whether the horizon is open; when it has passed, forgets everything (nothing can repeat any more).</summary>
    private bool IsOpen()
    {
        if (timeProvider.GetTimestamp() < _closesAt)
        {
            return true;
        }

        _closesAt = 0;
        _ids = null;
        _order = null;
        return false;
    }
}
