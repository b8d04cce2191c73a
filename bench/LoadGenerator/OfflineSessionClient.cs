using System.Net;
using System.Net.Sockets;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// One MQTT 3.1.1 connection of the offline-sessions run, on a plain socket: writes packets, reads whole packets,
/// acknowledges QoS 1 deliveries. Towards a loopback broker it binds 127.0.0.(2 + n % 253), as the idle shape's
/// connect loop does, so 100 000 short connections do not run out of one address's ephemeral ports.
/// </summary>
internal sealed class OfflineSessionClient(Socket socket) : IDisposable
{
    private const int LoopbackSources = 253;

    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly PacketWriter _writer = new(4);
    private int _start;
    private int _end;

    public PacketWriter Writer => _writer;

    public static async Task<OfflineSessionClient> ConnectAsync(IPEndPoint broker, int n, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.IsLoopback(broker.Address))
            {
                socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(2 + (n % LoopbackSources))]), 0));
            }

            await socket.ConnectAsync(broker, cancellation);
            return new OfflineSessionClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends what <see cref="Writer"/> holds, and clears it.</summary>
    public async Task FlushAsync(CancellationToken cancellation)
    {
        await socket.SendAsync(_writer.Written.ToArray(), cancellation);
        _writer.Clear();
    }

    /// <summary>The next packet: its first byte and a copy of its body.</summary>
    public async Task<(byte First, byte[] Body)> ReadAsync(CancellationToken cancellation)
    {
        while (true)
        {
            var frame = PacketParser.FrameLength(_buffer.AsSpan(_start, _end - _start), out var header);
            if (frame > 0)
            {
                var packet = (_buffer[_start], _buffer.AsSpan(_start + header, frame - header).ToArray());
                _start += frame;
                return packet;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellation);
            if (read == 0)
            {
                throw new IOException("the broker closed the connection");
            }

            _end += read;
        }
    }

    public void Dispose() => socket.Dispose();
}
