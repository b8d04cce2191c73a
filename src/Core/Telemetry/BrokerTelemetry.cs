using System.Diagnostics;

namespace MqttCluster.Core.Telemetry;

/// <summary>
/// The names every host exports its telemetry under: one <see cref="ActivitySource"/> for the spans a message
/// produces on its way through the broker and one meter (see <see cref="BrokerMetrics"/>), both called
/// <see cref="Name"/>, so an OpenTelemetry configuration needs exactly one source and one meter to see the broker.
/// </summary>
public static class BrokerTelemetry
{
    public const string Name = "MqttCluster";

    /// <summary>Orleans' grain-call spans (client and server side of every grain call an application makes).</summary>
    public const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    /// <summary>Orleans' own meter: messaging, activations, membership.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    public static readonly ActivitySource Source = new(Name, typeof(BrokerTelemetry).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Starts a sampled span of the broker's message path (null when not sampled or nobody listens), without making
    /// it <see cref="Activity.Current"/>: these spans
    /// belong to one message, while the code that starts them goes on to handle other messages (a connection's
    /// read loop, a grain's turn, a fan-out) whose calls must not become children of it.
    /// </summary>
    public static Activity? StartMessageSpan(string name, ActivityKind kind, ActivityContext parent, string operation, string topic, DateTimeOffset startTime = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(
            name,
            kind,
            parent,
            [new(MessagingAttributes.System, MessagingAttributes.SystemMqtt), new(MessagingAttributes.OperationType, operation), new(MessagingAttributes.DestinationName, topic)],
            startTime: startTime);
        Activity.Current = previous;
        if (activity is { Recorded: false })
        {
            // Not sampled (an SDK still creates such spans to propagate context): the message keeps the context
            // it came with, unchanged, rather than a new unsampled one.
            activity.Dispose();
            return null;
        }

        return activity;
    }
}
