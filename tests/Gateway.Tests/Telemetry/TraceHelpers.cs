using System.Diagnostics;
using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>W3C Trace Context for MQTT as a test publisher and subscriber see it.</summary>
internal static class TraceHelpers
{
    public static string TraceParent(ActivityTraceId traceId, ActivitySpanId spanId, bool sampled = true) =>
        $"00-{traceId}-{spanId}-{(sampled ? "01" : "00")}";

    public static MqttApplicationMessage Message(string topic, string payload, string? traceParent, params (string Name, string Value)[] userProperties)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var (name, value) in userProperties)
        {
            builder.WithUserProperty(name, Encoding.UTF8.GetBytes(value));
        }

        if (traceParent is not null)
        {
            builder.WithUserProperty("traceparent", Encoding.UTF8.GetBytes(traceParent));
        }

        return builder.Build();
    }

    /// <summary>The message's user properties as (name, value) pairs, in order.</summary>
    public static (string Name, string Value)[] UserProperties(this ReceivedMessage received) =>
        [.. (received.Message.UserProperties ?? []).Select(p => (p.Name, p.ReadValueAsString()))];

    /// <summary>The single <c>traceparent</c> the subscriber received, parsed.</summary>
    public static ActivityContext ReceivedTraceContext(this ReceivedMessage received)
    {
        var values = received.UserProperties().Where(p => p.Name == "traceparent").Select(p => p.Value).ToList();
        Assert.True(values.Count == 1, $"expected exactly one traceparent, got: {string.Join(", ", values)}");
        Assert.True(ActivityContext.TryParse(values[0], null, out var context), $"not a W3C traceparent: {values[0]}");
        return context;
    }

    public static Activity Single(this IReadOnlyList<Activity> trace, string name) =>
        Assert.Single(trace, s => s.DisplayName == name);

    public static object? Tag(this Activity span, string name) => span.TagObjects.FirstOrDefault(t => t.Key == name).Value;
}
