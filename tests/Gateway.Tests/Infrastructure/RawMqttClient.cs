using System.Net;
using System.Net.Sockets;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// MQTT over a bare socket, for what a well-behaved client library will not do: a second CONNECT, an invalid filter,
/// silence after CONNECT, closing the socket at a chosen moment. Packets are encoded and decoded with MQTTnet's
/// formatter, so only the behaviour is unusual, never the bytes.
/// </summary>
public sealed class RawMqttClient : IAsyncDisposable
{
    private readonly TcpClient _socket;
    private readonly NetworkStream _stream;
    private readonly MqttPacketFormatterAdapter _formatter;

    private RawMqttClient(TcpClient socket, MqttProtocolVersion version)
    {
        _socket = socket;
        _stream = socket.GetStream();
        _formatter = new MqttPacketFormatterAdapter(version, new MqttBufferWriter(4096, 65535));
    }

    public static async Task<RawMqttClient> OpenAsync(IPEndPoint endPoint, MqttProtocolVersion version)
    {
        var socket = new TcpClient { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new RawMqttClient(socket, version);
    }

    /// <summary>Opens a connection, sends <paramref name="connect"/> and expects a successful CONNACK.</summary>
    public static async Task<RawMqttClient> ConnectAsync(IPEndPoint endPoint, MqttProtocolVersion version, MqttConnectPacket connect)
    {
        var client = await OpenAsync(endPoint, version);
        await client.SendAsync(connect);
        var connAck = await client.ReceiveAsync<MqttConnAckPacket>("CONNACK");
        Assert.True(
            connAck.ReasonCode == MQTTnet.Protocol.MqttConnectReasonCode.Success && connAck.ReturnCode == MQTTnet.Protocol.MqttConnectReturnCode.ConnectionAccepted,
            $"CONNECT refused: {connAck.ReasonCode} / {connAck.ReturnCode}");
        return client;
    }

    public async Task SendAsync(MqttPacket packet) => await _stream.WriteAsync(Encode(packet));

    /// <summary>Several packets in one write, so they reach the broker in one TCP segment.</summary>
    public async Task SendTogetherAsync(params MqttPacket[] packets) =>
        await _stream.WriteAsync(packets.SelectMany(Encode).ToArray());

    private byte[] Encode(MqttPacket packet)
    {
        var bytes = _formatter.Encode(packet).ToArray();
        _formatter.Cleanup();
        return bytes;
    }

    public async Task SendBytesAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public async Task<T> ReceiveAsync<T>(string awaited, TimeSpan? timeout = null)
        where T : MqttPacket
    {
        var packet = await ReceiveAsync(awaited, timeout);
        return packet as T ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name} ({awaited}) but got {packet?.ToString() ?? "the connection closed"}.");
    }

    /// <summary>The next packet from the broker; null when it closed the connection.</summary>
    public Task<MqttPacket?> ReceiveAsync(string awaited, TimeSpan? timeout = null) =>
        Within.Async(ReadPacketAsync(), awaited, timeout);

    /// <summary>The next packet's bytes, fixed header included; null when the broker closed the connection.</summary>
    public Task<byte[]?> ReceiveBytesAsync(string awaited, TimeSpan? timeout = null) =>
        Within.Async(ReadPacketBytesAsync(), awaited, timeout);

    /// <summary>Reads until the broker closes the connection; returns the packets it sent before that.</summary>
    public Task<IReadOnlyList<MqttPacket>> ReceiveUntilClosedAsync(string awaited, TimeSpan? timeout = null) =>
        Within.Async(ReadToEndAsync(), awaited, timeout);

    /// <summary>Closes the socket without DISCONNECT.</summary>
    public void Abort() => _socket.Close();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<IReadOnlyList<MqttPacket>> ReadToEndAsync()
    {
        var packets = new List<MqttPacket>();
        while (await ReadPacketAsync() is { } packet)
        {
            packets.Add(packet);
        }

        return packets;
    }

    private async Task<byte[]?> ReadPacketBytesAsync()
    {
        try
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            if (await _stream.ReadAsync(one) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
            var remainingLength = 0;
            var multiplier = 1;
            do
            {
                await _stream.ReadExactlyAsync(one);
                bytes.Add(one[0]);
                remainingLength += (one[0] & 0x7F) * multiplier;
                multiplier *= 128;
            }
            while ((one[0] & 0x80) != 0);

            var body = new byte[remainingLength];
            await _stream.ReadExactlyAsync(body);
            return [.. bytes, .. body];
        }
        catch (Exception exception) when (exception is IOException or EndOfStreamException or ObjectDisposedException)
        {
            return null;
        }
    }

    private async Task<MqttPacket?> ReadPacketAsync()
    {
        try
        {
            var header = new byte[1];
            if (await _stream.ReadAsync(header) == 0)
            {
                return null;
            }

            var remainingLength = 0;
            var multiplier = 1;
            var digit = new byte[1];
            do
            {
                await _stream.ReadExactlyAsync(digit);
                remainingLength += (digit[0] & 0x7F) * multiplier;
                multiplier *= 128;
            }
            while ((digit[0] & 0x80) != 0);

            var body = new byte[remainingLength];
            await _stream.ReadExactlyAsync(body);
            return _formatter.Decode(new ReceivedMqttPacket(header[0], new ArraySegment<byte>(body), 1 + remainingLength));
        }
        catch (Exception exception) when (exception is IOException or EndOfStreamException or ObjectDisposedException)
        {
            return null;
        }
    }
}
