namespace MqttCluster.Grains;

/// <summary>A silo as cluster membership knows it.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ClusterSilo")]
public sealed record ClusterSilo(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string HostName,
    [property: Id(3)] string State,
    [property: Id(4)] DateTimeOffset StartedAt);
