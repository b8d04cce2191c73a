using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>An MQTTnet client with its inbox and disconnect notification wired before it connects.</summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="brokerContext">What the broker logged meanwhile, for the inbox's timeouts.</param>
    public TestClient(MqttProtocolVersion version, Func<string>? brokerContext = null)
    {
        Version = version;
        Inbox = new Inbox(brokerContext);
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += Inbox.OnReceivedAsync;
        Mqtt.DisconnectedAsync += args =>
        {
            _disconnected.TrySetResult(args);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }

    public MqttProtocolVersion Version { get; }

    public Inbox Inbox { get; }

    public MqttClientConnectResult? ConnectResult { get; internal set; }

    /// <summary>Completes when the connection ends, with the reason the client saw (v5: the broker's DISCONNECT).</summary>
    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    public Task<MqttClientSubscribeResult> SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce) =>
        SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos)).Build());

    public async Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options)
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        return await Mqtt.SubscribeAsync(options, timeout.Token);
    }

    public async Task<MqttClientUnsubscribeResult> UnsubscribeAsync(params string[] filters)
    {
        var options = new MqttClientUnsubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            options.WithTopicFilter(filter);
        }

        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        return await Mqtt.UnsubscribeAsync(options.Build(), timeout.Token);
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, bool retain = false) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), qos, retain);

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, bool retain = false) =>
        PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build());

    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message)
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        var result = await Mqtt.PublishAsync(message, timeout.Token);
        Assert.True(result.IsSuccess, $"PUBLISH to '{message.Topic}' was not accepted: {result.ReasonCode} {result.ReasonString}");
        return result;
    }

    public async Task DisconnectAsync(MqttClientDisconnectOptionsReason reason = MqttClientDisconnectOptionsReason.NormalDisconnection)
    {
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        await Mqtt.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(reason).Build(), timeout.Token);
    }

    /// <summary>Drops the network connection without DISCONNECT, as a crashed device would.</summary>
    public void Abort() => Mqtt.Dispose();

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
