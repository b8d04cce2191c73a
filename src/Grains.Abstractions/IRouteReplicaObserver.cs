namespace MqttCluster.Grains;

/// <summary>The copy of the route index that lives in each silo, fed by the route index grain.</summary>
[Alias("mqtt.IRouteReplicaObserver")]
public interface IRouteReplicaObserver : IGrainObserver
{
    [Alias("Apply")]
    Task ApplyAsync(RouteDelta delta);

    /// <summary>Replaces the replica's routes with a snapshot: a new activation of the index starts its replicas on
    /// its own epoch at once, before any change it acknowledges.</summary>
    [Alias("Load")]
    Task LoadAsync(RouteSnapshot snapshot);
}
