namespace MqttCluster.Grains.Routing;

/// <summary>A gateway a topic grain delivers to.</summary>
public sealed record GatewayDestination(string GatewayId, IGatewayObserver Gateway);
