using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>
/// Mqtt:SlowSubscribers = Drop (Mosquitto's behaviour): the publisher is acknowledged at once, and what does not fit
/// in a slow subscriber's queue is dropped, counted and logged.
/// </summary>
public sealed class SlowSubscriberDropTests(DropBrokerFixture broker) : BrokerTest<DropBrokerFixture>(broker), IClassFixture<DropBrokerFixture>
{
    [Fact]
    public async Task A_burst_faster_than_its_subscriber_loses_what_its_queue_cannot_hold()
    {
        var topic = NewTopic();
        var subscriber = await SlowSubscriberScenario.SubscribeAsync(ConnectRawAsync, NewClientId("slow"), topic);
        var publisher = await ConnectAsync(version: MQTTnet.Formatter.MqttProtocolVersion.V311);

        var reading = SlowSubscriberScenario.TakeUntilAsync(subscriber, "end");
        var results = await Task.WhenAll(SlowSubscriberScenario.StartBurst(publisher, topic));
        await publisher.PublishAsync(topic, "end", MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await reading;

        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
        Assert.InRange(received.Count, 1, SlowSubscriberScenario.Burst - 1);
        Assert.Contains(Broker.Log.Lines, l => l.Contains("is not keeping up", StringComparison.Ordinal));
    }
}
