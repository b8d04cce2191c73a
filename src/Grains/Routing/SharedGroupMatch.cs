namespace MqttCluster.Grains.Routing;

/// <summary>A shared subscription group (<c>$share/{group}/{filter}</c>) whose filter matches a topic, and the
/// gateways that have members of it. Each message goes to one of them.</summary>
public sealed record SharedGroupMatch(string GroupRoute, RouteDestination[] Members);
