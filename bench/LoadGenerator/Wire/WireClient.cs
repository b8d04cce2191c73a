namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// One MQTT client connection of the generator, on raw sockets. CONNECT and SUBSCRIBE are blocking steps; then the
/// client joins an <see cref="EventLoop"/>, whose one thread reads what the broker sends, hands PUBLISH payloads and
/// acknowledgements to an <see cref="IPacketHandler"/>, answers QoS 1/2 flows and writes <see cref="Output"/>.
/// Packets written in one loop turn leave in one write, so the generator spends a few microseconds per message,
/// less than any broker it measures.
/// </summary>
public sealed class WireClient : IDisposable
{
    private readonly WireTransport _transport;
    private readonly bool _v5;
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;
    private int _outputSent;
    private IPacketHandler? _handler;
    private Func<bool>? _readAtTurn;
    private volatile bool _lost;
    private bool _disposed;

    private WireClient(WireTransport transport, int protocolVersion)
    {
        _transport = transport;
        _v5 = protocolVersion == 5;
        Output = new PacketWriter(protocolVersion);
    }

    /// <summary>Packets to send; written to the socket by <see cref="Flush"/> (on the loop's thread only).</summary>
    public PacketWriter Output { get; }

    /// <summary>Set when the connection broke or the broker closed it.</summary>
    public bool Lost => _lost;

    public int Descriptor => _transport.Descriptor;

    public bool HasPendingOutput => _outputSent < Output.Length || _transport.HasPendingOutput;

    /// <summary>Opens the connection and completes CONNECT/CONNACK; throws when the broker refuses.</summary>
    public static WireClient Connect(ClientEndpoint endpoint, string clientId, int socketBuffer)
    {
        var transport = WireTransport.Open(endpoint.Host, endpoint.Port, endpoint.Transport, endpoint.WebSocketPath, socketBuffer);
        var client = new WireClient(transport, endpoint.ProtocolVersion);
        try
        {
            client.Output.Connect(clientId, cleanStart: true, keepAliveSeconds: 600);
            client.SendOutputBlocking();
            var reason = client.Await(0x20, body => body[1]);
            return reason == 0 ? client : throw new IOException($"{clientId}: CONNACK {reason:x2}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Subscribes and waits for the SUBACK (before <see cref="Attach"/>); throws when a filter is refused.</summary>
    public void Subscribe(ushort packetId, IReadOnlyList<string> filters, int qos)
    {
        Output.Subscribe(packetId, filters, qos);
        SendOutputBlocking();
        var refused = Await(0x90, body => body.AsSpan(2 + (_v5 ? 1 + body[2] : 0)).IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 ? 1 : 0);
        if (refused != 0)
        {
            throw new IOException($"the broker refused a subscription among {filters[0]}...");
        }
    }

    /// <summary>
    /// Whether the event loop wakes up as soon as this client's data arrives (subscribers: their latency is
    /// measured), or reads it at its next turn (fixed-rate publishers: only acknowledgements arrive; reading them up
    /// to a millisecond later saves a wake-up per message).
    /// </summary>
    public bool WakeOnArrival { get; private set; }

    /// <summary>
    /// For a client that does not wake the loop: whether its loop reads it at this turn (set by its handler, e.g. a
    /// publisher while acknowledgements are due).
    /// </summary>
    public bool ReadAtTurn => !WakeOnArrival && !_lost && (_readAtTurn?.Invoke() ?? true);

    /// <summary>From here on the client is driven by an event loop's thread.</summary>
    public void Attach(IPacketHandler handler, bool wakeOnArrival, Func<bool>? readAtTurn = null)
    {
        _handler = handler;
        WakeOnArrival = wakeOnArrival;
        _readAtTurn = readAtTurn;
        _transport.MakeNonBlocking();
    }

    /// <summary>Reads and handles everything the socket holds now, then writes the answers.</summary>
    public void OnReadable()
    {
        try
        {
            int n;
            bool filledBuffer;
            do
            {
                n = Fill();
                filledBuffer = n > 0 && _filled == _buffer.Length;
                var at = 0;
                while (true)
                {
                    var length = PacketParser.FrameLength(_buffer.AsSpan(at, _filled - at), out var header);
                    if (length == 0)
                    {
                        break;
                    }

                    Dispatch(_buffer[at], _buffer.AsSpan(at + header, length - header));
                    at += length;
                }

                Consume(at);
            }
            while (filledBuffer);

            // A read that did not fill the buffer took all there was: no second read just to hear "would block".
            _lost |= n == 0;
            Flush();
        }
        catch (IOException)
        {
            _lost = true;
        }
    }

    /// <summary>Writes <see cref="Output"/> as far as the socket takes it now.</summary>
    public void Flush()
    {
        try
        {
            _outputSent += _transport.Send(Output.Written[_outputSent..]);
            if (_outputSent == Output.Length)
            {
                Output.Clear();
                _outputSent = 0;
            }

            if (_transport.HasPendingOutput)
            {
                _transport.FlushPending();
            }
        }
        catch (IOException)
        {
            _lost = true;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_lost)
        {
            try
            {
                Output.Clear();
                _outputSent = 0;
                Output.Disconnect();
                Flush();
            }
            catch (ObjectDisposedException)
            {
                // Closed already.
            }
        }

        _transport.Dispose();
    }

    private void SendOutputBlocking()
    {
        _transport.Send(Output.Written);
        Output.Clear();
    }

    /// <summary>Reads until a packet of type <paramref name="type"/> arrives and returns what the reader says of its body.</summary>
    private int Await(int type, Func<byte[], int> read)
    {
        while (true)
        {
            var length = PacketParser.FrameLength(_buffer.AsSpan(0, _filled), out var header);
            if (length > 0)
            {
                var first = _buffer[0];
                var body = _buffer[header..length];
                Consume(length);
                if ((first & 0xF0) == type)
                {
                    return read(body);
                }

                continue;
            }

            if (Fill() <= 0)
            {
                throw new IOException($"the broker closed the connection while a packet of type {type >> 4} was awaited");
            }
        }
    }

    private void Dispatch(byte first, ReadOnlySpan<byte> body)
    {
        switch (first >> 4)
        {
            case 3:
                var (qos, id, payloadOffset) = PacketParser.Publish(first & 0x0F, body, _v5);
                _handler!.OnPublish(body[payloadOffset..]);
                if (qos > 0)
                {
                    Output.Acknowledge(qos == 1 ? (byte)0x40 : (byte)0x50, id);
                }

                break;
            case 4 or 7: // PUBACK, PUBCOMP
                var (acknowledged, reason) = PacketParser.Acknowledgement(body);
                _handler!.OnAcknowledged(acknowledged, reason);
                break;
            case 5: // PUBREC: release
                Output.Acknowledge(0x62, PacketParser.Acknowledgement(body).PacketId);
                break;
            case 6: // PUBREL: complete
                Output.Acknowledge(0x70, PacketParser.Acknowledgement(body).PacketId);
                break;
            case 14:
                throw new IOException("the broker sent DISCONNECT");
            default:
                break; // PINGRESP and anything else a generator does not use
        }
    }

    /// <summary>Reads more bytes: the count, 0 when the broker closed the connection, -1 when none are there now.</summary>
    private int Fill()
    {
        if (_filled == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var n = _transport.Receive(_buffer.AsSpan(_filled));
        _filled += Math.Max(n, 0);
        return n;
    }

    private void Consume(int bytes)
    {
        _buffer.AsSpan(bytes, _filled - bytes).CopyTo(_buffer);
        _filled -= bytes;
    }
}
