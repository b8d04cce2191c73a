using System.Net.WebSockets;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>MQTT over WebSocket: the paths and subprotocols browsers and libraries use.</summary>
public sealed class WebSocketTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<string, MqttProtocolVersion> PathsAndVersions => new()
    {
        { "/mqtt", MqttProtocolVersion.V311 },
        { "/mqtt", MqttProtocolVersion.V500 },
        { "/", MqttProtocolVersion.V311 },
        { "/", MqttProtocolVersion.V500 },
    };

    public static TheoryData<string, string> PathsAndSubProtocols => new()
    {
        { "/mqtt", "mqtt" },
        { "/", "mqtt" },
        { "/mqtt", "mqttv3.1" },
    };

    [Theory]
    [MemberData(nameof(PathsAndVersions))]
    public async Task Mqttnet_client_works_on_each_path(string path, MqttProtocolVersion version)
    {
        var options = new MqttClientOptionsBuilder()
            .WithProtocolVersion(version)
            .WithClientId(NewClientId())
            .WithTimeout(Within.DefaultTimeout)
            .WithWebSocketServer(ws => ws.WithUri($"ws://127.0.0.1:{Broker.WebSocketEndPoint.Port}{path}").WithSubProtocols(["mqtt"]))
            .Build();
        var client = await TryConnectAsync(version, options);
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);

        var topic = NewTopic();
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await client.PublishAsync(topic, $"over ws{path}", MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal($"over ws{path}", (await client.Inbox.NextAsync($"message over the WebSocket at '{path}'")).Text);
    }

    [Theory]
    [MemberData(nameof(PathsAndSubProtocols))]
    public async Task Subprotocol_is_accepted_and_mqtt_flows_in_binary_frames(string path, string subProtocol)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(subProtocol);
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Broker.WebSocketEndPoint.Port}{path}"), timeout.Token);

        // [MQTT-6.0.0-3]/[MQTT-6.0.0-4]: the server selects the MQTT subprotocol the client offered.
        Assert.Equal(subProtocol, socket.SubProtocol);

        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65535));
        var connect = formatter.Encode(new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 }).ToArray();
        formatter.Cleanup();
        await socket.SendAsync(connect, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);

        var buffer = new byte[256];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.Equal(0x20, buffer[0]);
        var connAck = formatter.Decode(new ReceivedMqttPacket(buffer[0], new ArraySegment<byte>(buffer, 2, buffer[1]), 2 + buffer[1]));
        Assert.Equal(MqttConnectReturnCode.ConnectionAccepted, Assert.IsType<MqttConnAckPacket>(connAck).ReturnCode);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Fact]
    public async Task Log_names_the_remote_address_of_a_websocket_client()
    {
        var clientId = NewClientId();

        await ConnectAsync(MqttTransport.WebSocket, clientId: clientId);

        // Operators find a misbehaving device by its address; over WebSocket it comes from the HTTP connection.
        // (The line is written right after CONNACK goes out, hence the short poll.)
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Lines.Any(line => line.Contains($"Client '{clientId}' connected from ", StringComparison.Ordinal))),
            "the connection log line",
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(20));
        Assert.Contains(Broker.Log.Lines, line => line.Contains($"Client '{clientId}' connected from 127.0.0.1:", StringComparison.Ordinal));
    }
}
