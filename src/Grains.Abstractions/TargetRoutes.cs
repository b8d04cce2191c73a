namespace MqttCluster.Grains;

/// <summary>The topic filters routed to one target, and for a gateway where to deliver.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.TargetRoutes")]
public sealed record TargetRoutes(
    [property: Id(0)] string Target,
    [property: Id(1)] IGatewayObserver? Gateway,
    [property: Id(2)] string[] Filters);
