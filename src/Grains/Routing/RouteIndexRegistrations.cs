namespace MqttCluster.Grains.Routing;

/// <summary>
/// What the route index keeps in storage: the gateways and silo replicas registered with it. Routes stay soft state
/// (gateways re-send theirs, offline sessions re-register theirs), but a new activation must know whom it serves at
/// once: its replicas, so that the first change it acknowledges is routable everywhere (the SUBACK promise), and its
/// gateways, so that one that died with the previous activation is declared dead like any other. Written when a
/// gateway or replica registers anew, leaves or is dropped; never per refresh.
/// </summary>
[GenerateSerializer, Alias("mqtt.RouteIndexRegistrations")]
public sealed class RouteIndexRegistrations
{
    [Id(0)] public Dictionary<string, IGatewayObserver> Gateways { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<string, IRouteReplicaObserver> Replicas { get; set; } = new(StringComparer.Ordinal);
}
