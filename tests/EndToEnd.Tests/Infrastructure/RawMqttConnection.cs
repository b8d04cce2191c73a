using System.Net;
using System.Net.Sockets;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>A plain TCP connection to the broker for writing hand-made (often broken) MQTT bytes.</summary>
public sealed class RawMqttConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawMqttConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        LocalEndpoint = ((IPEndPoint)client.Client.LocalEndPoint!).ToString();
    }

    /// <summary>This side's address as the broker logs it ("127.0.0.1:54321").</summary>
    public string LocalEndpoint { get; }

    public static async Task<RawMqttConnection> OpenAsync(BrokerProcess broker)
    {
        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync(IPAddress.Loopback, broker.TcpPort, timeout.Token);
        return new RawMqttConnection(client);
    }

    public async Task SendAsync(params byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Half-closes: the broker reads end-of-stream, as when a client dies mid-packet.</summary>
    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one whole packet (fixed header, remaining length, body); fails if none arrives in time.</summary>
    public async Task<byte[]> ReadPacketAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var packet = new List<byte>();
        try
        {
            packet.Add(await ReadByteAsync(deadline.Token));
            var remainingLength = 0;
            var multiplier = 1;
            byte encoded;
            do
            {
                encoded = await ReadByteAsync(deadline.Token);
                packet.Add(encoded);
                remainingLength += (encoded & 0x7F) * multiplier;
                multiplier *= 128;
            }
            while ((encoded & 0x80) != 0);

            var body = new byte[remainingLength];
            await _stream.ReadExactlyAsync(body, deadline.Token);
            packet.AddRange(body);
            return [.. packet];
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No complete packet within {timeout.TotalSeconds} s; got {MqttBytes.Hex([.. packet])}.");
        }
        catch (EndOfStreamException)
        {
            throw new IOException($"The broker closed the connection before a whole packet arrived; got {MqttBytes.Hex([.. packet])}.");
        }
    }

    /// <summary>Reads until the broker closes the connection (end of stream or reset) or the deadline passes.</summary>
    public async Task<CloseResult> ReadUntilClosedAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    return new CloseResult(true, [.. received], "end of stream");
                }

                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException)
        {
            return new CloseResult(false, [.. received], $"still open after {timeout.TotalSeconds} s");
        }
        catch (IOException exception) when (exception.InnerException is SocketException socket)
        {
            return new CloseResult(true, [.. received], $"reset ({socket.SocketErrorCode})");
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        var one = new byte[1];
        await _stream.ReadExactlyAsync(one, cancellationToken);
        return one[0];
    }
}
