namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>
/// Test classes that observe a broker's traces or metrics. Spans come from one static source that every tracer
/// provider in the process listens to (a span is created if any provider's sampler wants it), and meters of the
/// same name from several brokers look like one to a meter provider: brokers side by side would see each other's
/// messages and counters, and a broker of another test class would get traced (its subscribers would receive a
/// traceparent). So these classes run alone, one after the other, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Brokers whose telemetry is observed";
}
