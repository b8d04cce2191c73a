namespace MqttCluster.Grains.Routing;

/// <summary>The destinations of one topic: every target with a matching plain route, and the matching shared
/// groups (one member each per message).</summary>
public sealed record RouteMatch(RouteDestination[] FanOut, SharedGroupMatch[] SharedGroups)
{
    public static readonly RouteMatch None = new([], []);
}
