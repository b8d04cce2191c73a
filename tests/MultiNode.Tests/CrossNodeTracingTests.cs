using System.Diagnostics;
using System.Text;
using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// One message, one trace across processes: received by gateway B, routed by the topic grain in the silo,
/// delivered by gateway A and sent to the subscriber there, each span exported by the process that made it.
/// </summary>
public sealed class CrossNodeTracingTests(TracingCluster cluster, ITestOutputHelper output)
    : ClusterTest<TracingCluster>(cluster, output), IClassFixture<TracingCluster>
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_message_from_gateway_B_to_a_subscriber_on_gateway_A_is_one_trace_across_three_processes()
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync(Cluster.GatewayA);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await ConnectAsync(Cluster.GatewayB);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var publisherSpan = ActivitySpanId.CreateRandom().ToHexString();

        await publisher.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("traced across the cluster")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("traceparent", Encoding.UTF8.GetBytes($"00-{traceId}-{publisherSpan}-01"))
            .Build());
        var received = await subscriber.Inbox.NextAsync("the traced message", context: Describe);

        var receive = await SpanAsync(Cluster.GatewayB, traceId, "mqtt receive");
        var route = await SpanAsync(Cluster.Silo, traceId, "mqtt route");
        var deliver = await SpanAsync(Cluster.GatewayA, traceId, "mqtt deliver");
        var send = await SpanAsync(Cluster.GatewayA, traceId, "mqtt send");
        Assert.Equal(publisherSpan, receive.ParentSpanId);
        Assert.Equal(receive.SpanId, route.ParentSpanId);
        Assert.Equal(route.SpanId, deliver.ParentSpanId);
        Assert.Equal(deliver.SpanId, send.ParentSpanId);

        // The grain call from gateway B to the silo appears in the trace too (Orleans' spans, both sides).
        await SpanAsync(Cluster.GatewayB, traceId, name: null, source: "Microsoft.Orleans.Application");
        await SpanAsync(Cluster.Silo, traceId, name: null, source: "Microsoft.Orleans.Application");

        var traceParent = received.Message.UserProperties?.SingleOrDefault(p => p.Name == "traceparent")?.ReadValueAsString();
        Assert.Equal($"00-{traceId}-{send.SpanId}-01", traceParent);
    }

    private async Task<ConsoleSpan> SpanAsync(NodeProcess node, string traceId, string? name, string source = "MqttCluster")
    {
        ConsoleSpan? found = null;
        await Within.PollAsync(
            () =>
            {
                found = ConsoleSpan.Parse(node.Log.Lines).FirstOrDefault(s => s.TraceId == traceId && s.Source == source && (name is null || s.Name == name));
                return found is not null;
            },
            $"a '{name ?? "any"}' span of {source} in trace {traceId} from {node.Name}",
            ExportTimeout,
            Describe);
        return found!;
    }
}
