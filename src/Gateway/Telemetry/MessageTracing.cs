using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Telemetry;

/// <summary>
/// The gateway's spans of a message: receiving it from the publisher, delivering it to this gateway's
/// subscribers, and sending it to each of them. A message carries the W3C context of its latest traced hop in
/// <see cref="BrokerMessage.TraceParent"/>; each span here takes that as parent and writes its own id back.
/// </summary>
internal static class MessageTracing
{
    /// <summary>Starts the receive span: the publisher's <c>traceparent</c> is its parent, or it starts a trace.</summary>
    public static Activity? StartReceive(BrokerMessage message, byte qos, string clientId, string gatewayId)
    {
        if (!BrokerTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        var span = BrokerTelemetry.StartMessageSpan(MessageSpanNames.Receive, ActivityKind.Server, parent, "receive", message.Topic);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(MessagingAttributes.ClientId, clientId);
            span.SetTag(MessagingAttributes.QualityOfService, (int)qos);
            span.SetTag(MessagingAttributes.BodySize, message.Payload.Length);
            span.SetTag(MessagingAttributes.MessageId, message.MessageId.ToString());
            span.SetTag(MessagingAttributes.Node, gatewayId);
            if (message.Retain)
            {
                span.SetTag(MessagingAttributes.Retain, true);
            }
        }

        return span;
    }

    /// <summary>Starts the delivery span of a traced message that reached this gateway; null when it is not traced.</summary>
    public static Activity? StartDeliver(BrokerMessage message, string gatewayId)
    {
        if (message.TraceParent is null || !ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent))
        {
            return null;
        }

        var span = BrokerTelemetry.StartMessageSpan(MessageSpanNames.Deliver, ActivityKind.Consumer, parent, "process", message.Topic);
        span?.SetTag(MessagingAttributes.Node, gatewayId);
        return span;
    }

    /// <summary>Records the send span of one subscriber's copy, from delivery until it was queued for the socket.</summary>
    public static string? RecordSend(SendSpanParent parent, string topic, string clientId, byte qos)
    {
        using var span = BrokerTelemetry.StartMessageSpan(MessageSpanNames.Send, ActivityKind.Producer, parent.Parent, "send", topic, parent.DeliveredAt);
        if (span is null)
        {
            return null;
        }

        span.SetTag(MessagingAttributes.ClientId, clientId);
        span.SetTag(MessagingAttributes.QualityOfService, (int)qos);
        return span.Id;
    }
}
