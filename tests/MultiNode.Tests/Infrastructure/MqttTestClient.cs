using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// A real MQTTnet client connected to one gateway of the cluster over TCP or WebSocket, with its inbox and its
/// disconnect notification wired before it connects. It never reconnects by itself: a test that expects a client
/// to stay connected checks <see cref="Disconnected"/>.
/// </summary>
public sealed class MqttTestClient : IAsyncDisposable
{
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MqttTestClient(string clientId, NodeProcess gateway, MqttTransport transport)
    {
        ClientId = clientId;
        Gateway = gateway;
        Transport = transport;
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += Inbox.OnReceivedAsync;
        Mqtt.DisconnectedAsync += args =>
        {
            _disconnected.TrySetResult(args);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }

    public string ClientId { get; }

    public NodeProcess Gateway { get; }

    public MqttTransport Transport { get; }

    public Inbox Inbox { get; } = new();

    public MqttClientConnectResult ConnectResult { get; private set; } = null!;

    /// <summary>Completes when the connection ends, with the reason the client saw (v5: the broker's DISCONNECT).</summary>
    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    public bool IsConnected => Mqtt.IsConnected;

    /// <summary>A client id no other test uses; short, as MQTT 3.1 allows only 23 characters.</summary>
    public static string NewClientId(string prefix = "c") => $"{prefix}-{Guid.NewGuid():N}"[..23];

    /// <summary>Connects (MQTT 5 unless told otherwise) and expects the gateway to accept the client.</summary>
    public static async Task<MqttTestClient> ConnectAsync(
        NodeProcess gateway,
        MqttTransport transport = MqttTransport.Tcp,
        string? clientId = null,
        Action<MqttClientOptionsBuilder>? configure = null,
        Func<string>? context = null)
    {
        var client = new MqttTestClient(clientId ?? NewClientId(), gateway, transport);
        var options = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(client.ClientId)
            .WithTimeout(Within.DefaultTimeout);
        options = transport == MqttTransport.Tcp
            ? options.WithTcpServer("127.0.0.1", gateway.TcpPort)
            : options.WithWebSocketServer(ws => ws.WithUri($"ws://{gateway.WebSocketUrl}"));
        configure?.Invoke(options);
        try
        {
            using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
            client.ConnectResult = await client.Mqtt.ConnectAsync(options.Build(), timeout.Token);
        }
        catch (Exception exception)
        {
            client.Mqtt.Dispose();
            throw new Xunit.Sdk.XunitException(
                $"Client '{client.ClientId}' could not connect to {gateway.Name} over {transport}: {exception.Message}{(context is null ? string.Empty : "\n" + context())}");
        }

        Assert.True(
            client.ConnectResult.ResultCode == MqttClientConnectResultCode.Success,
            $"{gateway.Name} refused '{client.ClientId}': {client.ConnectResult.ResultCode} {client.ConnectResult.ReasonString}");
        return client;
    }

    /// <summary>Subscribes and asserts the gateway granted the requested QoS.</summary>
    public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        var options = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos)).Build();
        var result = await Mqtt.SubscribeAsync(options, timeout.Token);
        var item = Assert.Single(result.Items);
        Assert.True((int)item.ResultCode == (int)qos, $"SUBSCRIBE '{filter}' at QoS {(int)qos} on {Gateway.Name} was answered {item.ResultCode}.");
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false) =>
        PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build());

    /// <summary>Publishes and asserts the gateway accepted it (PUBACK / PUBREC with success for QoS 1 / 2).</summary>
    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message)
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        var result = await Mqtt.PublishAsync(message, timeout.Token);
        Assert.True(result.IsSuccess, $"PUBLISH to '{message.Topic}' via {Gateway.Name} was not accepted: {result.ReasonCode} {result.ReasonString}");
        return result;
    }

    public async Task DisconnectAsync()
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        await Mqtt.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (Mqtt.IsConnected)
        {
            try
            {
                await DisconnectAsync();
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
                // Already going away; the test is over either way.
            }
        }

        Mqtt.Dispose();
    }
}
