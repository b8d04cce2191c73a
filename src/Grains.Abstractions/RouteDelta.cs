namespace MqttCluster.Grains;

/// <summary>
/// One change of the route index. A replica applies it only if it holds <see cref="Version"/> - 1 of the same
/// <see cref="Epoch"/>; otherwise it resynchronises from a snapshot, so a missed delta heals.
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.RouteDelta")]
public sealed record RouteDelta
{
    [Id(0)] public required Guid Epoch { get; init; }

    [Id(1)] public required long Version { get; init; }

    /// <summary>A <see cref="RouteTarget"/> key.</summary>
    [Id(2)] public required string Target { get; init; }

    /// <summary>Set when a gateway registers (or re-registers) its delivery endpoint.</summary>
    [Id(3)] public IGatewayObserver? Gateway { get; init; }

    /// <summary>True when the target and all its routes are gone.</summary>
    [Id(4)] public bool TargetRemoved { get; init; }

    [Id(5)] public string[] AddedFilters { get; init; } = [];

    [Id(6)] public string[] RemovedFilters { get; init; } = [];
}
