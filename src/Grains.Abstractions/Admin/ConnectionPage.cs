namespace MqttCluster.Grains;

/// <summary>One page of a cluster-wide connection listing, and how many matched in all.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ConnectionPage")]
public sealed record ConnectionPage(
    [property: Id(0)] int TotalCount,
    [property: Id(1)] ConnectionSummary[] Connections,
    [property: Id(2)] int GatewaysAsked,
    [property: Id(3)] int GatewaysAnswered);
