using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>
/// One PUBLISH, one trace: the gateway's receive span, the topic grain's route span, the delivering gateway's
/// span and a send span per subscriber, parented in that order; W3C Trace Context for MQTT in and out.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class MessageTracingTests(TracingBrokerFixture broker) : BrokerTest<TracingBrokerFixture>(broker), IClassFixture<TracingBrokerFixture>
{
    [Fact]
    public async Task Publishers_traceparent_is_the_parent_and_the_subscriber_gets_the_send_span()
    {
        var publisher = await ConnectAsync(clientId: NewClientId("pub"));
        var subscriber = await ConnectAsync(clientId: NewClientId("sub"));
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var traceId = ActivityTraceId.CreateRandom();
        var publisherSpan = ActivitySpanId.CreateRandom();

        await publisher.PublishAsync(TraceHelpers.Message(topic, "traced", TraceHelpers.TraceParent(traceId, publisherSpan), ("k", "v1"), ("k", "v2")));
        var received = await subscriber.Inbox.NextAsync("the traced message");

        var trace = await Broker.Collector.TraceAsync(traceId, MessageSpanNames.Send);
        var receive = trace.Single(MessageSpanNames.Receive);
        var route = trace.Single(MessageSpanNames.Route);
        var deliver = trace.Single(MessageSpanNames.Deliver);
        var send = trace.Single(MessageSpanNames.Send);
        Assert.Equal(publisherSpan, receive.ParentSpanId);
        Assert.Equal(receive.SpanId, route.ParentSpanId);
        Assert.Equal(route.SpanId, deliver.ParentSpanId);
        Assert.Equal(deliver.SpanId, send.ParentSpanId);

        Assert.Equal("mqtt", receive.Tag(MessagingAttributes.System));
        Assert.Equal(topic, receive.Tag(MessagingAttributes.DestinationName));
        Assert.Equal(publisher.Mqtt.Options.ClientId, receive.Tag(MessagingAttributes.ClientId));
        Assert.Equal(1, receive.Tag(MessagingAttributes.QualityOfService));
        Assert.Equal(subscriber.Mqtt.Options.ClientId, send.Tag(MessagingAttributes.ClientId));
        Assert.Equal(1, route.Tag(MessagingAttributes.Gateways));
        Assert.Equal(1, deliver.Tag(MessagingAttributes.Subscribers));

        // Re-parented: the subscriber's own spans hang under the broker's send span; other properties unchanged.
        var context = received.ReceivedTraceContext();
        Assert.Equal(traceId, context.TraceId);
        Assert.Equal(send.SpanId, context.SpanId);
        Assert.Equal([("k", "v1"), ("k", "v2")], received.UserProperties().Where(p => p.Name != "traceparent"));
    }

    [Fact]
    public async Task A_message_without_traceparent_starts_a_trace_at_the_gateway()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(TraceHelpers.Message(topic, "untraced by its publisher", traceParent: null));
        var context = (await subscriber.Inbox.NextAsync("the message")).ReceivedTraceContext();

        var trace = await Broker.Collector.TraceAsync(context.TraceId, MessageSpanNames.Send);
        var receive = trace.Single(MessageSpanNames.Receive);
        Assert.Equal(default, receive.ParentSpanId);
        Assert.Equal(context.SpanId, trace.Single(MessageSpanNames.Send).SpanId);
        Assert.Equal(4, trace.Count(s => s.Source.Name == BrokerTelemetry.Name));
    }

    [Fact]
    public async Task A_large_fan_out_records_one_delivery_span_with_the_subscriber_count()
    {
        var publisher = await ConnectAsync();
        var topic = NewTopic();
        var subscribers = new List<TestClient>();
        for (var i = 0; i <= TracingBrokerFixture.MaxSendSpans; i++)
        {
            var subscriber = await ConnectAsync();
            await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            subscribers.Add(subscriber);
        }

        var traceId = ActivityTraceId.CreateRandom();
        await publisher.PublishAsync(TraceHelpers.Message(topic, "fan-out", TraceHelpers.TraceParent(traceId, ActivitySpanId.CreateRandom())));
        var contexts = new List<ActivityContext>();
        foreach (var subscriber in subscribers)
        {
            contexts.Add((await subscriber.Inbox.NextAsync("the fanned-out message")).ReceivedTraceContext());
        }

        var trace = await Broker.Collector.TraceAsync(traceId, MessageSpanNames.Deliver);
        var deliver = trace.Single(MessageSpanNames.Deliver);
        Assert.Equal(subscribers.Count, deliver.Tag(MessagingAttributes.Subscribers));
        Assert.DoesNotContain(trace, s => s.DisplayName == MessageSpanNames.Send);
        Assert.All(contexts, c => Assert.Equal(deliver.SpanId, c.SpanId));
    }

    [Fact]
    public async Task A_v3_subscriber_gets_the_message_without_properties_while_the_trace_is_recorded()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync(version: MQTTnet.Formatter.MqttProtocolVersion.V311);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var traceId = ActivityTraceId.CreateRandom();

        await publisher.PublishAsync(TraceHelpers.Message(topic, "to a 3.1.1 client", TraceHelpers.TraceParent(traceId, ActivitySpanId.CreateRandom())));
        var received = await subscriber.Inbox.NextAsync("the message");

        Assert.Equal("to a 3.1.1 client", received.Text);
        await Broker.Collector.TraceAsync(traceId, MessageSpanNames.Send);
    }
}
