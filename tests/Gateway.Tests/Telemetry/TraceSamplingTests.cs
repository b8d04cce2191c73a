using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>With <c>Telemetry:OnlyTracedMessages</c> the publisher decides: a sampled <c>traceparent</c> is traced,
/// anything else is not, and an unsampled context passes through the broker untouched.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TraceSamplingTests(TracedOnlyBrokerFixture broker) : BrokerTest<TracedOnlyBrokerFixture>(broker), IClassFixture<TracedOnlyBrokerFixture>
{
    [Fact]
    public async Task Messages_without_traceparent_are_not_traced()
    {
        var (publisher, subscriber, topic) = await PairAsync();

        await publisher.PublishAsync(TraceHelpers.Message(topic, "plain", traceParent: null));
        var received = await subscriber.Inbox.NextAsync("the message");

        Assert.DoesNotContain(received.UserProperties(), p => p.Name == "traceparent");
        Assert.DoesNotContain(Broker.Collector.Spans, s => Equals(s.Tag(MessagingAttributes.DestinationName), topic));
    }

    [Fact]
    public async Task An_unsampled_traceparent_passes_through_unchanged()
    {
        var (publisher, subscriber, topic) = await PairAsync();
        var traceParent = TraceHelpers.TraceParent(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), sampled: false);

        await publisher.PublishAsync(TraceHelpers.Message(topic, "not sampled", traceParent));
        var received = await subscriber.Inbox.NextAsync("the message");

        Assert.Contains(("traceparent", traceParent), received.UserProperties());
        Assert.DoesNotContain(Broker.Collector.Spans, s => Equals(s.Tag(MessagingAttributes.DestinationName), topic));
    }

    [Fact]
    public async Task A_sampled_traceparent_is_traced()
    {
        var (publisher, subscriber, topic) = await PairAsync();
        var traceId = ActivityTraceId.CreateRandom();

        await publisher.PublishAsync(TraceHelpers.Message(topic, "sampled", TraceHelpers.TraceParent(traceId, ActivitySpanId.CreateRandom())));
        var context = (await subscriber.Inbox.NextAsync("the message")).ReceivedTraceContext();

        var trace = await Broker.Collector.TraceAsync(traceId, MessageSpanNames.Send);
        Assert.Equal(context.SpanId, trace.Single(MessageSpanNames.Send).SpanId);
    }

    private async Task<(TestClient Publisher, TestClient Subscriber, string Topic)> PairAsync()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return (publisher, subscriber, topic);
    }
}
