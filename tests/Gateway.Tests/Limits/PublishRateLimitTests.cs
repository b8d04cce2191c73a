using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>Mqtt:MaxPublishRatePerClient slows a fast publisher down instead of dropping its messages.</summary>
public sealed class PublishRateLimitTests(ClientLimitsBrokerFixture broker) : BrokerTest<ClientLimitsBrokerFixture>(broker), IClassFixture<ClientLimitsBrokerFixture>
{
    [Fact]
    public async Task A_publisher_over_its_rate_is_slowed_and_loses_nothing()
    {
        var subscriber = await ConnectAsync();
        var publisher = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        const int count = ClientLimitsBrokerFixture.MaxPublishRate * 2;
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, $"{i}");
        }

        var received = await subscriber.Inbox.TakeAsync(count, $"all {count} messages", TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}"), received.Select(m => m.Text));
        Assert.Contains(Broker.Log.Lines, l => l.Contains("publishes faster than", StringComparison.Ordinal));
    }
}
