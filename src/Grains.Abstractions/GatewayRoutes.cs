namespace MqttCluster.Grains;

/// <summary>The topic filters one gateway has local subscribers for, and where to deliver to it.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.GatewayRoutes")]
public sealed record GatewayRoutes(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] IGatewayObserver Gateway,
    [property: Id(2)] string[] Filters);
