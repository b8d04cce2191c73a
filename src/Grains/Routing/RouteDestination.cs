namespace MqttCluster.Grains.Routing;

/// <summary>Where a topic grain sends: a gateway (through its observer) or an offline session (its grain).</summary>
public sealed record RouteDestination(string Target, IGatewayObserver? Gateway, string? SessionClientId);
