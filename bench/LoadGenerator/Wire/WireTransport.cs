using System.Net.Sockets;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// The byte stream under an MQTT connection: plain TCP, or WebSocket frames over TCP (<see cref="WebSocketTransport"/>).
/// Blocking while a client sets up (CONNECT, SUBSCRIBE), then non-blocking under the <see cref="EventLoop"/>.
/// </summary>
public class WireTransport : IDisposable
{
    private readonly Socket _socket;

    protected WireTransport(Socket socket) => _socket = socket;

    /// <summary>The socket's file descriptor, for poll(2).</summary>
    public int Descriptor => (int)_socket.Handle;

    /// <summary>Bytes accepted by <see cref="Send"/> but not yet written to the socket (WebSocket frames).</summary>
    public virtual bool HasPendingOutput => false;

    public static WireTransport Open(string host, int port, BrokerTransport transport, string webSocketPath, int socketBuffer)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (socketBuffer > 0)
            {
                socket.SendBufferSize = socketBuffer;
                socket.ReceiveBufferSize = socketBuffer;
            }

            socket.Connect(host, port);
            return transport == BrokerTransport.WebSocket ? WebSocketTransport.Upgrade(socket, host, port, webSocketPath) : new WireTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void MakeNonBlocking() => _socket.Blocking = false;

    /// <summary>
    /// Takes MQTT bytes to send and returns how many it took (fewer when the socket's buffer is full and the socket
    /// is non-blocking; a blocking socket takes all). Throws <see cref="IOException"/> when the connection broke.
    /// </summary>
    public virtual int Send(ReadOnlySpan<byte> bytes) => SendRaw(bytes);

    /// <summary>Writes what <see cref="HasPendingOutput"/> holds, as far as the socket takes it.</summary>
    public virtual void FlushPending()
    {
    }

    /// <summary>Reads MQTT bytes: the count, 0 when the broker closed the connection, -1 when none are there now.</summary>
    public virtual int Receive(Span<byte> destination) => ReceiveRaw(destination);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected int SendRaw(ReadOnlySpan<byte> bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            var n = _socket.Send(bytes[sent..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return sent;
            }

            if (error != SocketError.Success)
            {
                throw new IOException($"send failed: {error}");
            }

            sent += n;
        }

        return sent;
    }

    protected int ReceiveRaw(Span<byte> destination)
    {
        var n = _socket.Receive(destination, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => n,
            SocketError.WouldBlock => -1,
            _ => 0,
        };
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }
    }
}
