using System.Net.Sockets;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// A client that is still writing when the broker ends its connection reads the broker's DISCONNECT and then a
/// clean end of stream, and none of its writes fails: the broker reads and discards until the client is done
/// instead of closing with unread input, which TCP answers with a reset (4.13).
/// </summary>
public sealed class GracefulDisconnectTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    /// <summary>Writes after the violation: a few milliseconds of writing on loopback, far below the drain's linger.</summary>
    private const int Batches = 4000;

    [Fact]
    public async Task V5_client_flooding_QoS_2_reads_DISCONNECT_0x93_receive_maximum_exceeded()
    {
        // The broker announces a Receive Maximum of 100 [MQTT-3.3.4-9]; the client sends QoS 2 PUBLISH packets and
        // never the PUBRELs that would free their slots. (A QoS 1 stream is held back by TCP instead while the
        // cluster has not acknowledged it: InboundFlowControlTests.)
        var topic = NewTopic();
        await AssertReadsDisconnectWhileWritingAsync(
            batch => [.. Enumerable.Range((batch * 8) + 1, 8).SelectMany(id => Packet(0x34, String(topic), UInt16((id % 65535) + 1), Properties(), "flood"u8.ToArray()))],
            MqttDisconnectReasonCode.ReceiveMaximumExceeded);
    }

    /// <summary>
    /// Connects with MQTT 5 and sends <see cref="Batches"/> batches of <paramref name="writes"/>, one awaited write
    /// after another and only then reads, as a single-threaded client writing its queue would; the writes go on
    /// well after the broker decided to close (without the drain, the later writes fail with a reset). Expects every write to
    /// succeed, the DISCONNECT with <paramref name="reason"/> to be read, then end of stream (no reset).
    /// </summary>
    private async Task AssertReadsDisconnectWhileWritingAsync(Func<int, byte[]> writes, MqttDisconnectReasonCode reason)
    {
        var bystander = await BystanderAsync();
        using var socket = new TcpClient { NoDelay = true };
        await socket.ConnectAsync(Broker.TcpEndPoint);
        var stream = socket.GetStream();
        await stream.WriteAsync(PacketBytes.Connect(5, NewClientId("writer")));
        Exception? writeFailure = null;
        try
        {
            for (var batch = 0; batch < Batches; batch++)
            {
                await stream.WriteAsync(writes(batch));
            }
        }
        catch (IOException exception)
        {
            writeFailure = exception;
        }

        var received = new List<byte>();
        var ended = await Within.Async(ReadToEndAsync(stream, received), "the broker to close the connection after its DISCONNECT");
        Assert.True(writeFailure is null, $"a write failed before the client could read the broker's DISCONNECT: {writeFailure?.Message}");
        Assert.True(ended, "the connection was reset instead of closed");
        var packets = Split([.. received]);
        Assert.Equal(0x20, packets[0][0]);
        var disconnect = packets.Last();
        Assert.Equal(0xE0, disconnect[0]);
        Assert.Equal((byte)reason, disconnect[2]);
        await AssertUnaffectedAsync(bystander);
    }

    /// <summary>Reads until end of stream (true) or a reset (false).</summary>
    private static async Task<bool> ReadToEndAsync(NetworkStream stream, List<byte> received)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return true;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The whole packets in <paramref name="bytes"/>, each with its fixed header.</summary>
    private static List<byte[]> Split(byte[] bytes)
    {
        var packets = new List<byte[]>();
        var offset = 0;
        while (offset + 1 < bytes.Length)
        {
            var length = 0;
            var multiplier = 1;
            var header = 1;
            byte digit;
            do
            {
                if (offset + header >= bytes.Length)
                {
                    return packets;
                }

                digit = bytes[offset + header++];
                length += (digit & 0x7F) * multiplier;
                multiplier *= 128;
            }
            while ((digit & 0x80) != 0);

            if (offset + header + length > bytes.Length)
            {
                return packets;
            }

            packets.Add(bytes[offset..(offset + header + length)]);
            offset += header + length;
        }

        return packets;
    }
}
