using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// MQTT over WebSocket (RFC 6455) with subprotocol "mqtt": the HTTP upgrade, masked binary frames out, and the
/// payloads of the broker's frames in, as one byte stream. Enough for a load generator: no extensions.
/// </summary>
public sealed class WebSocketTransport : WireTransport
{
    private readonly byte[] _inbound = new byte[64 * 1024];
    private const int MaxFramePayload = 65535;

    private byte[] _pending = new byte[64 * 1024];
    private int _pendingStart;
    private int _pendingEnd;
    private int _inboundStart;
    private int _inboundEnd;
    private long _payloadLeft;
    private bool _inPayload;

    private WebSocketTransport(Socket socket)
        : base(socket)
    {
    }

    public static WebSocketTransport Upgrade(Socket socket, string host, int port, string path)
    {
        var transport = new WebSocketTransport(socket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        transport.SendRaw(Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"));
        transport.ReadUpgradeResponse();
        return transport;
    }

    public override bool HasPendingOutput => _pendingEnd > _pendingStart;

    /// <summary>Frames all of <paramref name="bytes"/> (masked binary frames) and writes what the socket takes now.</summary>
    public override int Send(ReadOnlySpan<byte> bytes)
    {
        var remaining = bytes;
        while (!remaining.IsEmpty)
        {
            var chunk = remaining[..Math.Min(remaining.Length, MaxFramePayload)];
            var frame = PendingRoom(14 + chunk.Length);
            var header = 2;
            frame[0] = 0x82; // FIN, binary
            if (chunk.Length < 126)
            {
                frame[1] = (byte)(0x80 | chunk.Length);
            }
            else
            {
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)chunk.Length);
                header = 4;
            }

            // A client must mask [RFC 6455 5.3]; the key need not be secret here, only present.
            var mask = (uint)Random.Shared.Next();
            BinaryPrimitives.WriteUInt32BigEndian(frame[header..], mask);
            header += 4;
            var payload = frame.Slice(header, chunk.Length);
            chunk.CopyTo(payload);
            Mask(payload, mask);
            _pendingEnd += header + chunk.Length;
            remaining = remaining[chunk.Length..];
        }

        FlushPending();
        return bytes.Length;
    }

    public override void FlushPending()
    {
        _pendingStart += SendRaw(_pending.AsSpan(_pendingStart, _pendingEnd - _pendingStart));
        if (_pendingStart == _pendingEnd)
        {
            _pendingStart = _pendingEnd = 0;
        }
    }

    public override int Receive(Span<byte> destination)
    {
        while (true)
        {
            if (_inPayload && _payloadLeft > 0 && _inboundEnd > _inboundStart)
            {
                var n = (int)Math.Min(Math.Min(_payloadLeft, _inboundEnd - _inboundStart), destination.Length);
                _inbound.AsSpan(_inboundStart, n).CopyTo(destination);
                _inboundStart += n;
                _payloadLeft -= n;
                _inPayload = _payloadLeft > 0;
                return n;
            }

            if (!_inPayload && TryReadFrameHeader())
            {
                continue;
            }

            var filled = Fill();
            if (filled <= 0)
            {
                return filled;
            }
        }
    }

    private Span<byte> PendingRoom(int bytes)
    {
        if (_pendingEnd + bytes > _pending.Length)
        {
            var kept = _pendingEnd - _pendingStart;
            var grown = new byte[Math.Max(_pending.Length, (kept + bytes) * 2)];
            _pending.AsSpan(_pendingStart, kept).CopyTo(grown);
            _pending = grown;
            _pendingStart = 0;
            _pendingEnd = kept;
        }

        return _pending.AsSpan(_pendingEnd, bytes);
    }

    private static void Mask(Span<byte> payload, uint mask)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, mask);
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] ^= key[i & 3];
        }
    }

    /// <summary>Parses the next frame header when it is buffered; control frames are answered or skipped.</summary>
    private bool TryReadFrameHeader()
    {
        var available = _inbound.AsSpan(_inboundStart, _inboundEnd - _inboundStart);
        if (available.Length < 2)
        {
            return false;
        }

        var opcode = available[0] & 0x0F;
        var length = (long)(available[1] & 0x7F);
        var header = 2;
        if (length == 126)
        {
            if (available.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(available[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            if (available.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(available[2..]);
            header = 10;
        }

        if (opcode == 0x8)
        {
            throw new IOException("the broker closed the WebSocket");
        }

        if (opcode is 0x9 or 0xA && available.Length < header + length)
        {
            return false;
        }

        _inboundStart += header;
        if (opcode is 0x9 or 0xA)
        {
            // Ping (answered with a pong carrying the same data) or unsolicited pong: not MQTT bytes.
            if (opcode == 0x9)
            {
                SendControl(0x8A, _inbound.AsSpan(_inboundStart, (int)length));
            }

            _inboundStart += (int)length;
            return true;
        }

        _payloadLeft = length;
        _inPayload = length > 0;
        return true;
    }

    private void SendControl(byte first, ReadOnlySpan<byte> data)
    {
        // Masked with a zero key: the data goes out as it came.
        var frame = PendingRoom(6 + data.Length);
        frame[0] = first;
        frame[1] = (byte)(0x80 | data.Length);
        frame[2..6].Clear();
        data.CopyTo(frame[6..]);
        _pendingEnd += 6 + data.Length;
        FlushPending();
    }

    /// <summary>Reads more bytes from the socket: the count, 0 when it closed, -1 when none are there now.</summary>
    private int Fill()
    {
        if (_inboundStart > 0)
        {
            _inbound.AsSpan(_inboundStart, _inboundEnd - _inboundStart).CopyTo(_inbound);
            _inboundEnd -= _inboundStart;
            _inboundStart = 0;
        }

        var n = ReceiveRaw(_inbound.AsSpan(_inboundEnd));
        _inboundEnd += Math.Max(n, 0);
        return n;
    }

    private void ReadUpgradeResponse()
    {
        while (true)
        {
            var text = Encoding.ASCII.GetString(_inbound, 0, _inboundEnd);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                if (!text.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                {
                    throw new IOException($"WebSocket upgrade refused: {text[..text.IndexOf('\r', StringComparison.Ordinal)]}");
                }

                _inboundStart = end + 4;
                return;
            }

            if (Fill() <= 0)
            {
                throw new IOException("the broker closed the connection during the WebSocket upgrade");
            }
        }
    }
}
