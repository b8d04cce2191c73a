using System.Diagnostics;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Tests;

/// <summary>A graceful stop of the broker (SIGTERM): clients are told and the host stops promptly.</summary>
public sealed class ShutdownTests(ShutdownBrokerFixture broker) : BrokerTest<ShutdownBrokerFixture>(broker), IClassFixture<ShutdownBrokerFixture>
{
    [Fact]
    public async Task Stopping_the_broker_disconnects_clients_with_server_shutting_down()
    {
        var tcpV5 = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500);
        var tcpV311 = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V311);
        var webSocketV5 = await ConnectAsync(MqttTransport.WebSocket, MqttProtocolVersion.V500);
        var stopwatch = Stopwatch.StartNew();

        await Broker.StopAsync();

        // [MQTT-4.13.2-1]: v5 clients get DISCONNECT 0x8B Server shutting down; 3.1.1 clients see the close.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, (await Within.Async(tcpV5.Disconnected, "TCP v5 client disconnect")).Reason);
        await Within.Async(tcpV311.Disconnected, "TCP 3.1.1 client disconnect");

        // Over WebSocket the connection closes, but the reason is lost: see WebSocketShutdownTests.
        await Within.Async(webSocketV5.Disconnected, "WebSocket v5 client disconnect");
    }
}
