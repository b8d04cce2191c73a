using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A well-behaved MQTTnet client that proves the broker still serves others: it publishes QoS 1 messages to its
/// own topic and waits for each to come back.
/// </summary>
public sealed class HealthyClient : IAsyncDisposable
{
    private static readonly TimeSpan RoundTripTimeout = TimeSpan.FromSeconds(5);

    private readonly IMqttClient _client;
    private readonly string _topic;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _awaited = new(StringComparer.Ordinal);
    private int _sequence;

    private HealthyClient(IMqttClient client, string topic)
    {
        _client = client;
        _topic = topic;
    }

    public static async Task<HealthyClient> ConnectAsync(BrokerProcess broker, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var healthy = new HealthyClient(client, $"e2e/healthy/{Guid.NewGuid():N}");
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (healthy._awaited.TryRemove(e.ApplicationMessage.ConvertPayloadToString(), out var arrived))
            {
                arrived.TrySetResult();
            }

            return Task.CompletedTask;
        };

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TcpPort)
            .WithClientId($"healthy-{Guid.NewGuid():N}")
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(options, timeout.Token);
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(healthy._topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            timeout.Token);
        return healthy;
    }

    /// <summary>Publishes one QoS 1 message and waits until it is acknowledged and delivered back.</summary>
    public async Task RoundTripAsync(CancellationToken cancellationToken = default)
    {
        var payload = $"ping-{Interlocked.Increment(ref _sequence)}";
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _awaited[payload] = arrived;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RoundTripTimeout);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, timeout.Token);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"PUBLISH of '{payload}' was not accepted: {result.ReasonCode}.");
        }

        try
        {
            await arrived.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{payload}' was not delivered back within {RoundTripTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>Round trips in the background until stopped.</summary>
    public BackgroundTraffic StartTraffic() => new(this);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _client.Dispose();
    }
}
