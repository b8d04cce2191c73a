using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>
/// Mqtt:SlowSubscribers = PushBack (the default): a subscriber slower than its publisher loses nothing, because the
/// publisher is acknowledged at the subscriber's pace; one that stops acknowledging stops holding the publisher
/// back after Mqtt:PushBackGiveUpAfter, and its queue limit applies. The broker's clock moves only when a test
/// moves it, so "stalled" happens exactly where the test says.
/// </summary>
public sealed class SlowSubscriberPushBackTests(PushBackBrokerFixture broker) : BrokerTest<PushBackBrokerFixture>(broker), IClassFixture<PushBackBrokerFixture>
{
    [Fact]
    public async Task A_burst_faster_than_its_subscriber_arrives_whole_and_in_order()
    {
        var topic = NewTopic();
        var clientId = NewClientId("slow");
        var subscriber = await SlowSubscriberScenario.SubscribeAsync(ConnectRawAsync, clientId, topic);
        var publisher = await ConnectAsync(version: MQTTnet.Formatter.MqttProtocolVersion.V311);

        var reading = SlowSubscriberScenario.TakeUntilAsync(subscriber, "end");
        var results = await Task.WhenAll(SlowSubscriberScenario.StartBurst(publisher, topic));
        await publisher.PublishAsync(topic, "end", MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await reading;

        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
        Assert.Equal(Enumerable.Range(0, SlowSubscriberScenario.Burst).Select(i => $"m-{i}"), received);
        Assert.DoesNotContain(Broker.Log.Lines, l => l.Contains(clientId, StringComparison.Ordinal) && l.Contains("is not keeping up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_subscriber_that_stops_acknowledging_does_not_hold_the_publisher_or_other_subscribers()
    {
        var topic = NewTopic();
        var stalledId = NewClientId("stall");
        var stalled = await SlowSubscriberScenario.SubscribeAsync(ConnectRawAsync, stalledId, topic);
        var healthyId = NewClientId("healthy");
        var healthy = await ConnectAsync(clientId: healthyId);
        await healthy.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await ConnectAsync(version: MQTTnet.Formatter.MqttProtocolVersion.V311);

        // The stalled subscriber reads nothing and acknowledges nothing. Until it has been silent for
        // Mqtt:PushBackGiveUpAfter it holds the burst back (its queue takes what arrives meanwhile); after that its
        // queue limit drops what does not fit, and the publisher and the healthy subscriber go on.
        var burst = SlowSubscriberScenario.StartBurst(publisher, topic);
        await healthy.Inbox.NextAsync("the first message at the healthy subscriber");

        // The clock jumps for every connection at once: the healthy subscriber must owe no acknowledgement when it
        // does (on a real clock it answers within milliseconds, never a second late).
        var healthyConnection = Broker.Services.GetRequiredService<ConnectedClients>().Snapshot().Single(c => c.ClientId == healthyId);
        await Within.PollAsync(
            () => Task.FromResult(healthyConnection.InflightCount == 0 && healthyConnection.QueuedCount == 0),
            "the healthy subscriber to have acknowledged what it was sent so far",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(20));
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(1));

        var results = await Task.WhenAll(burst);
        await healthy.Inbox.TakeAsync(SlowSubscriberScenario.Burst - 1, $"the other {SlowSubscriberScenario.Burst - 1} messages at the healthy subscriber");
        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));

        // What came after it stalled no longer fits: dropped, counted, logged.
        await publisher.PublishAsync(topic, "after the stall", MqttQualityOfServiceLevel.AtLeastOnce);
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Lines.Any(l => l.Contains(stalledId, StringComparison.Ordinal) && l.Contains("is not keeping up", StringComparison.Ordinal))),
            "the broker to log the stalled subscriber's drops",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(50));
        GC.KeepAlive(stalled);
    }
}
