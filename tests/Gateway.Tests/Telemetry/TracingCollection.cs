namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>
/// Test classes whose brokers trace. Spans come from one static source that every tracer provider in the process
/// listens to, and a span is created if any provider's sampler wants it: two tracing brokers side by side would
/// see each other's messages, and a broker of another test class would get traced (its subscribers would receive
/// a traceparent). So the classes of this collection run alone, one after the other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "Tracing brokers";
}
