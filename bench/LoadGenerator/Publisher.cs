using System.Diagnostics;
using System.Text;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// One publishing client. Open loop: it publishes on its own schedule (a fixed rate, or as fast as its in-flight
/// window of <see cref="LoadOptions.Inflight"/> unacknowledged QoS 1/2 messages allows, as a real client does) and
/// nothing outside it holds it back, unless the run asked for the closed-loop mode (--max-backlog).
/// Everything but the counters' readers runs on the <see cref="EventLoop"/>'s thread.
/// </summary>
public sealed class Publisher : IPacketHandler
{
    // QoS 0 as fast as possible: this many more messages whenever the socket took everything written before.
    private const int QosZeroBatch = 32;

    private readonly long _writeInterval;
    private readonly long _lateAfter;
    private long _nextWrite;

    private readonly WireClient _client;
    private readonly int _index;
    private readonly byte[] _topic;
    private readonly LoadOptions _options;
    private readonly DeliveryBacklog _backlog;
    private int _outstanding;
    private long _sent;
    private long _failed;
    private long _started;

    public Publisher(WireClient client, int index, string topic, LoadOptions options, DeliveryBacklog backlog)
    {
        _client = client;
        _index = index;
        _topic = Encoding.UTF8.GetBytes(topic);
        _options = options;
        _backlog = backlog;
        _writeInterval = (long)(options.WriteInterval.TotalSeconds * Stopwatch.Frequency);

        // A message due longer ago than two write intervals waited for the window, not for its write.
        _lateAfter = (2 * _writeInterval) + (Stopwatch.Frequency / 500);
        // At a fixed rate acknowledgements only refill the window: read them at the loop's turns.
        client.Attach(this, wakeOnArrival: options.Rate <= 0, readAtTurn: () => Volatile.Read(ref _outstanding) > 0);
    }

    /// <summary>Messages the broker took: written (QoS 0) or acknowledged (QoS 1, 2).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Messages the broker refused (v5 reason code ≥ 0x80), never acknowledged, or lost with the connection.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Set when the broker closed the publisher's connection.</summary>
    public bool Lost => _client.Lost;

    /// <summary>Messages written, acknowledged or not.</summary>
    public long Started => Interlocked.Read(ref _started);

    private long Limit => _options.MessagesPerPublisher ?? long.MaxValue;

    private int Room => _options.Qos == 0
        ? (_client.HasPendingOutput ? 0 : QosZeroBatch)
        : _options.Inflight - Volatile.Read(ref _outstanding);

    /// <summary>One turn of the event loop: writes what the schedule (or, without a rate, the window) allows now.</summary>
    public void Turn(long now, long scheduleStart, double ticksPerMessage, int publishers)
    {
        if (_client.Lost || _started >= Limit)
        {
            return;
        }

        if (ticksPerMessage > 0)
        {
            if (now >= _nextWrite)
            {
                // Publishers write in turn, spread over the interval, not all at the same instant.
                _nextWrite = _nextWrite == 0 ? now + (_writeInterval * _index / publishers) : _nextWrite + _writeInterval;
                _nextWrite = Math.Max(_nextWrite, now);
                PublishDue(now, scheduleStart, ticksPerMessage, publishers);
            }
        }
        else if (Room > 0 && _backlog.HasRoom())
        {
            Write((int)Math.Min(Room, Limit - _started), Stopwatch.GetTimestamp(), 0);
        }
    }

    /// <summary>Waits until every QoS 1/2 message written was acknowledged, or the deadline passed.</summary>
    public async Task AwaitAcknowledgementsAsync(long deadline)
    {
        while (Volatile.Read(ref _outstanding) > 0 && Stopwatch.GetTimestamp() < deadline && !_client.Lost)
        {
            await Task.Delay(10);
        }

        Interlocked.Add(ref _failed, Math.Max(0, Volatile.Read(ref _outstanding)));
    }

    public void OnPublish(ReadOnlySpan<byte> payload)
    {
        // Publishers subscribe to nothing.
    }

    public void OnAcknowledged(ushort packetId, byte reasonCode)
    {
        Interlocked.Increment(ref reasonCode < 0x80 ? ref _sent : ref _failed);
        Interlocked.Decrement(ref _outstanding);
    }

    /// <summary>
    /// Writes the messages due by <paramref name="now"/> on a fixed-rate schedule (message k of publisher i is due at
    /// start + (k × publishers + i) × <paramref name="ticksPerMessage"/>), as many as the window allows, in one
    /// write every --write-interval (as a client with a send queue does). A message sent within two intervals of its
    /// due time is stamped now (the interval is the generator's granularity, not the broker's latency); one held back
    /// longer by the window is stamped with its due time, so the wait the broker caused counts in its latency.
    /// </summary>
    private void PublishDue(long now, long scheduleStart, double ticksPerMessage, int publishers)
    {
        var step = ticksPerMessage * publishers;
        var first = scheduleStart + (((_started * publishers) + _index) * ticksPerMessage);
        var due = now < first ? 0 : (long)((now - first) / step) + 1;
        var room = _options.Qos == 0 ? int.MaxValue : Room;
        var count = (int)Math.Min(Math.Min(due, Limit - _started), room);
        if (count > 0)
        {
            var late = now - (long)first > _lateAfter;
            Write(count, late ? (long)first : now, late ? step : 0);
        }
    }

    /// <summary>Adds <paramref name="count"/> messages stamped firstStamp, firstStamp + stampStep, ... to the output.</summary>
    private void Write(int count, long firstStamp, double stampStep)
    {
        for (var i = 0; i < count; i++)
        {
            var sequence = _started + i;
            var packetId = (ushort)((sequence % ushort.MaxValue) + 1);
            var payload = _client.Output.Publish(_topic, _options.Qos, packetId, _options.PayloadSize);
            new PayloadStamp(firstStamp + (long)(i * stampStep), _index, (int)sequence).WriteTo(payload);
        }

        if (_options.Qos > 0)
        {
            Interlocked.Add(ref _outstanding, count);
        }
        else
        {
            Interlocked.Add(ref _sent, count);
        }

        Interlocked.Add(ref _started, count);
        _backlog.Published(count);
    }
}
