using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Tests;

/// <summary>A graceful stop of the broker as seen by an MQTT 5 client over WebSocket.</summary>
public sealed class WebSocketShutdownTests(ShutdownBrokerFixture broker) : BrokerTest<ShutdownBrokerFixture>(broker), IClassFixture<ShutdownBrokerFixture>
{
    [Fact]
    public async Task Stopping_the_broker_tells_websocket_clients_server_shutting_down()
    {
        var client = await ConnectAsync(MqttTransport.WebSocket, MqttProtocolVersion.V500);

        await Broker.StopAsync();

        // [MQTT-4.13.2-1]: DISCONNECT 0x8B Server shutting down before the connection closes.
        Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, (await Within.Async(client.Disconnected, "WebSocket v5 client disconnect")).Reason);
    }
}
