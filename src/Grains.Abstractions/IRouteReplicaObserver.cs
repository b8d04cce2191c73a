namespace MqttCluster.Grains;

/// <summary>The copy of the route index that lives in each silo, fed by the route index grain.</summary>
[Alias("mqtt.IRouteReplicaObserver")]
public interface IRouteReplicaObserver : IGrainObserver
{
    [Alias("Apply")]
    Task ApplyAsync(RouteDelta delta);
}
