using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.Gateway.Tests.Robustness;

/// <summary>
/// Many short-lived connections leave nothing behind, and connections that never send CONNECT are closed after
/// Mqtt:ConnectTimeout, while a normal client keeps working.
/// </summary>
public sealed class ConnectionStormTests(RobustnessBrokerFixture broker, ITestOutputHelper output)
    : BrokerTest<RobustnessBrokerFixture>(broker), IClassFixture<RobustnessBrokerFixture>
{
    [Fact]
    public async Task Thousands_of_connect_disconnect_cycles_leave_no_connection_behind()
    {
        const int cycles = 5000;
        const int workers = 32;
        var clients = Broker.Services.GetRequiredService<ConnectedClients>();
        var before = clients.Count;
        var next = -1;
        var stopwatch = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var i && i < cycles)
            {
                await using var client = await RawMqttClient.ConnectAsync(
                    Broker.TcpEndPoint,
                    MqttProtocolVersion.V311,
                    new MqttConnectPacket { ClientId = $"storm-{i}-{Guid.NewGuid():N}"[..23], CleanSession = true });
                await client.SendAsync(new MqttDisconnectPacket());
            }
        })));
        output.WriteLine($"{cycles} connect/disconnect cycles in {stopwatch.Elapsed.TotalSeconds:0.0} s");

        await Within.PollAsync(
            () => Task.FromResult(clients.Count == before),
            $"the broker to hold {before} connection(s) again after {cycles} cycles, it holds {clients.Count}",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));
        await AssertNormalClientWorksAsync("after the storm");
    }

    [Fact]
    public async Task Connections_that_never_send_connect_are_closed_after_the_connect_timeout()
    {
        const int count = 300;
        var deadline = RobustnessBrokerFixture.ConnectTimeout + TimeSpan.FromSeconds(10);
        var sockets = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var socket = new TcpClient();
            await socket.ConnectAsync(Broker.TcpEndPoint);
            return (Socket: socket, Opened: Stopwatch.StartNew());
        }));

        try
        {
            var closings = sockets.Select(async s =>
            {
                var buffer = new byte[16];
                try
                {
                    var read = await Within.Async(s.Socket.GetStream().ReadAsync(buffer).AsTask(), "the broker to close a silent connection", deadline);
                    Assert.True(read == 0, $"The broker sent {read} bytes to a connection that never sent CONNECT");
                }
                catch (IOException)
                {
                    // Reset: closed as well.
                }

                return s.Opened.Elapsed;
            }).ToList();

            // A normal client works while the silent connections are open.
            await AssertNormalClientWorksAsync("while silent connections are open");
            var closedAfter = await Task.WhenAll(closings);
            // Reported, not asserted: on a loaded machine the client sees the accept late, so a lower bound on the
            // close time would measure the scheduler, not the broker.
            output.WriteLine($"{count} silent connections closed after {closedAfter.Min().TotalSeconds:0.00}–{closedAfter.Max().TotalSeconds:0.00} s");
            await AssertNormalClientWorksAsync("after the silent connections were closed");
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Socket.Dispose();
            }
        }
    }

    private async Task AssertNormalClientWorksAsync(string when)
    {
        var client = await ConnectAsync(clientId: NewClientId("normal"));
        var topic = NewTopic() + "/normal";
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await client.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(marker, (await client.Inbox.NextAsync($"a normal client's own message {when}")).Text);
        await client.DisconnectAsync();
    }
}
