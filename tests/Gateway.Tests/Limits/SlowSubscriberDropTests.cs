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

        // The subscriber reads nothing until the broker has acknowledged the whole burst: by then its window holds
        // the first messages and its queue the next ones, and everything after them is gone.
        var results = await Task.WhenAll(SlowSubscriberScenario.StartBurst(publisher, topic));
        var kept = SlowSubscriberSettings.MaxInflightMessages + SlowSubscriberSettings.MaxQueuedMessages;
        var received = await SlowSubscriberScenario.TakeAsync(subscriber, kept);
        await publisher.PublishAsync(topic, "end", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Empty(await SlowSubscriberScenario.TakeUntilAsync(subscriber, "end"));

        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
        Assert.Equal(Enumerable.Range(0, kept).Select(i => $"m-{i}"), received);
        Assert.Contains(Broker.Log.Lines, l => l.Contains("is not keeping up", StringComparison.Ordinal));
    }
}
