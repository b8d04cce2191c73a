using MQTTnet;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>A real MQTTnet client of a broker outside the cluster (a bridge's remote), with its inbox.</summary>
public sealed class RemoteSubscriber : IAsyncDisposable
{
    public RemoteSubscriber()
    {
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += Inbox.OnReceivedAsync;
    }

    public IMqttClient Mqtt { get; }

    public Inbox Inbox { get; } = new();

    public async ValueTask DisposeAsync()
    {
        if (Mqtt.IsConnected)
        {
            using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
            await Mqtt.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }

        Mqtt.Dispose();
    }
}
