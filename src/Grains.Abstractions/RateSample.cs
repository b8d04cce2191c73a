namespace MqttCluster.Grains;

/// <summary>Cluster-wide messages per second over one sample period, ending at <see cref="At"/>.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.RateSample")]
public sealed record RateSample(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] double Received,
    [property: Id(2)] double Sent,
    [property: Id(3)] double Dropped);
