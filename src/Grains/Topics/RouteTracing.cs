using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// The topic grain's span of each traced message: its routing to the destinations that match. The messages go on
/// carrying this span's context, so the delivering gateways' spans hang under it.
/// </summary>
internal static class RouteTracing
{
    /// <summary>Starts a route span for every traced message; returns null when none is traced.</summary>
    public static Activity?[]? Start(BrokerMessage[] messages, string topic, string node, out BrokerMessage[] continued)
    {
        continued = messages;
        if (!BrokerTelemetry.Source.HasListeners())
        {
            return null;
        }

        Activity?[]? spans = null;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (message.TraceParent is null || !ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent))
            {
                continue;
            }

            var span = BrokerTelemetry.StartMessageSpan(MessageSpanNames.Route, ActivityKind.Internal, parent, "process", topic);
            if (span is null)
            {
                continue;
            }

            span.SetTag(MessagingAttributes.Node, node);
            spans ??= new Activity?[messages.Length];
            spans[i] = span;
            if (ReferenceEquals(continued, messages))
            {
                continued = [.. messages];
            }

            continued[i] = message.ContinuedBy(span);
        }

        return spans;
    }

    /// <summary>Records where the messages go.</summary>
    public static void Describe(Activity?[]? spans, RouteMatch match)
    {
        if (spans is null)
        {
            return;
        }

        var gateways = match.FanOut.Count(d => d.Gateway is not null);
        var sessions = match.FanOut.Length - gateways;
        foreach (var span in spans)
        {
            span?.SetTag(MessagingAttributes.Gateways, gateways);
            span?.SetTag(MessagingAttributes.OfflineSessions, sessions);
            span?.SetTag(MessagingAttributes.SharedGroups, match.SharedGroups.Length);
        }
    }

    public static void Stop(Activity?[]? spans, Exception? failure = null)
    {
        if (spans is null)
        {
            return;
        }

        foreach (var span in spans)
        {
            if (span is null)
            {
                continue;
            }

            if (failure is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, failure.Message);
            }

            span.Dispose();
        }
    }
}
