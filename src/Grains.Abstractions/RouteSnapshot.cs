namespace MqttCluster.Grains;

/// <summary>The whole route index at one version, for a replica that starts or has missed a delta.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.RouteSnapshot")]
public sealed record RouteSnapshot
{
    [Id(0)] public required Guid Epoch { get; init; }

    [Id(1)] public required long Version { get; init; }

    [Id(2)] public required TargetRoutes[] Targets { get; init; }

    /// <summary>Targets this index removed lately (a gateway that stopped, a session that resumed or ended): a
    /// replica that still carries their routes from a previous index drops them rather than carrying them on.</summary>
    [Id(3)] public string[] RemovedTargets { get; init; } = [];
}
