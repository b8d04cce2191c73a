using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// The only writer of a connection. Packets are queued from any thread; one loop encodes whatever is queued into
/// the output pipe and flushes once per batch, so a burst of deliveries costs one socket write, not one each.
/// A listener's mount point is taken off PUBLISH topics here, as they are encoded.
/// </summary>
public sealed class MqttPacketSender
{
    private const int InitialEncodeBufferSize = 256;

    private readonly PipeWriter _output;
    private readonly TopicMount _mount;
    private readonly Channel<MqttPacket> _queue = Channel.CreateUnbounded<MqttPacket>(new UnboundedChannelOptions { SingleReader = true });
    private MqttPacketFormatterAdapter? _formatter;
    private int _queued;
    private long _lastFlushTicks = Environment.TickCount64;
    private Task _loop = Task.CompletedTask;

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
        _formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(InitialEncodeBufferSize, 65535));
        _loop = RunAsync();
    }

    /// <summary>Queues a packet; false once the sender is completed.</summary>
    public bool Send(MqttPacket packet)
    {
        if (!_queue.Writer.TryWrite(packet))
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        return true;
    }

    /// <summary>Stops accepting packets and waits until everything queued so far has been written.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops accepting packets and drops what is queued (the connection is going away).</summary>
    public void Abort()
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out _))
        {
            Interlocked.Decrement(ref _queued);
        }
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

    private async Task RunAsync()
    {
        var formatter = _formatter!;
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    Interlocked.Decrement(ref _queued);
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

                var flush = await _output.FlushAsync().ConfigureAwait(false);
                Volatile.Write(ref _lastFlushTicks, Environment.TickCount64);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // The peer went away while we were writing; the read side notices and ends the connection.
        }
        finally
        {
            Abort();
        }
    }
}
