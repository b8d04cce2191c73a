using System.Buffers;
using System.IO.Pipelines;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// The only writer of a connection. Packets are queued from any thread and written by one writer at a time, which
/// encodes whatever is queued into the output pipe and flushes once, so a burst of deliveries costs one socket
/// write, not one each. The writer is the thread that ends an <see cref="OutboundWrites"/> stretch when the packets
/// were sent inside one (no thread hop), otherwise a thread-pool work item. A listener's mount point is taken off
/// PUBLISH topics here, as they are encoded.
/// </summary>
public sealed class MqttPacketSender
{
    private const int InitialEncodeBufferSize = 256;

    private readonly PipeWriter _output;
    private readonly TopicMount _mount;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate: packets waiting for the writer, and the list the writer takes them out with.
    private List<MqttPacket> _pending = [];
    private List<MqttPacket> _writing = [];
    private bool _accepting = true;
    private bool _writerActive;
    private MqttPacketFormatterAdapter? _formatter;

    private int _queued;
    private long _lastFlushTicks = Environment.TickCount64;

    public MqttPacketSender(PipeWriter output, TopicMount? mount = null)
    {
        _output = output;
        _mount = mount ?? TopicMount.None;
    }

    /// <summary>Packets queued and not yet written; how far behind a slow subscriber is.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    public long BytesSent { get; private set; }

    /// <summary>How long packets have waited without the client taking any (zero when nothing waits): a client
    /// that stopped reading shows here first.</summary>
    public TimeSpan StalledFor => QueuedCount == 0
        ? TimeSpan.Zero
        : TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastFlushTicks));

    /// <summary>Starts writing, encoding for the protocol version the client connected with.</summary>
    public void Start(MqttProtocolVersion version)
    {
        // Starts small (an idle connection only ever encodes CONNACK and PINGRESP) and grows to the packets sent,
        // shrinking back to 64 KB after a larger one; MQTTnet's usual 4 KB up front cost every idle connection.
        lock (_gate)
        {
            _formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(InitialEncodeBufferSize, 65535));
        }

        WriteDeferred();
    }

    /// <summary>Queues a packet; false once the sender is completed.</summary>
    public bool Send(MqttPacket packet)
    {
        lock (_gate)
        {
            if (!_accepting)
            {
                return false;
            }

            _pending.Add(packet);
            Interlocked.Increment(ref _queued);
            if (_writerActive || _formatter is null || OutboundWrites.TryDefer(this))
            {
                return true;
            }

            _writerActive = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static sender => _ = sender.WriteAsync(), this, preferLocal: false);
        return true;
    }

    /// <summary>Stops accepting packets and waits until everything queued so far has been written.</summary>
    public async Task CompleteAsync()
    {
        lock (_gate)
        {
            _accepting = false;
        }

        WriteDeferred();
        await _drained.Task.ConfigureAwait(false);
    }

    /// <summary>Stops accepting packets and drops what is queued (the connection is going away).</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _accepting = false;
            Interlocked.Add(ref _queued, -_pending.Count);
            _pending.Clear();
            if (!_writerActive)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Writes what is queued on this thread, unless a writer is already at work.</summary>
    internal void WriteDeferred()
    {
        lock (_gate)
        {
            if (_writerActive)
            {
                return;
            }

            if (_formatter is null || _pending.Count == 0)
            {
                if (!_accepting)
                {
                    // Completed before it started (no CONNECT came): nothing will be written.
                    Interlocked.Add(ref _queued, -_pending.Count);
                    _pending.Clear();
                    _drained.TrySetResult();
                }

                return;
            }

            _writerActive = true;
        }

        _ = WriteAsync();
    }

    /// <summary>
    /// Encodes with the topic the client knows. The packet itself keeps the broker's topic: it may be sent again
    /// (DUP), and only this loop encodes, so the topic is swapped just for the encoding.
    /// </summary>
    private MqttPacketBuffer EncodeMounted(MqttPacketFormatterAdapter formatter, MqttPublishPacket publish)
    {
        var topic = publish.Topic;
        publish.Topic = string.IsNullOrEmpty(topic) ? topic : _mount.Outbound(topic);
        try
        {
            return formatter.Encode(publish);
        }
        finally
        {
            publish.Topic = topic;
        }
    }

    /// <summary>The writer: runs while packets are queued; only one at a time (<c>_writerActive</c>). Runs
    /// synchronously until a flush has to wait for the client.</summary>
    private async Task WriteAsync()
    {
        var formatter = _formatter!;
        try
        {
            while (TakePending() is { } packets)
            {
                Interlocked.Add(ref _queued, -packets.Count);
                foreach (var packet in packets)
                {
                    Write(formatter, packet);
                }

                packets.Clear();
                var flush = await _output.FlushAsync().ConfigureAwait(false);
                Volatile.Write(ref _lastFlushTicks, Environment.TickCount64);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    StandDown();
                    return;
                }
            }
        }
        catch (Exception)
        {
            // The peer went away while we were writing; the read side notices and ends the connection.
            StandDown();
        }
    }

    /// <summary>The client's side is gone: nothing more will be written.</summary>
    private void StandDown()
    {
        lock (_gate)
        {
            _writerActive = false;
        }

        Abort();
    }

    /// <summary>The queued packets to write next, or null (and the writer stands down) when none are left.</summary>
    private List<MqttPacket>? TakePending()
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                _writerActive = false;
                if (!_accepting)
                {
                    _drained.TrySetResult();
                }

                return null;
            }

            (_pending, _writing) = (_writing, _pending);
            return _writing;
        }
    }

    private void Write(MqttPacketFormatterAdapter formatter, MqttPacket packet)
    {
        var buffer = packet is MqttPublishPacket publish && !_mount.IsNone ? EncodeMounted(formatter, publish) : formatter.Encode(packet);
        try
        {
            _output.Write(buffer.Packet);
            foreach (var segment in buffer.Payload)
            {
                _output.Write(segment.Span);
            }

            BytesSent += buffer.Length;
        }
        finally
        {
            formatter.Cleanup();
        }
    }
}
