using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// What a gateway needs from the cluster. One implementation talks to Orleans grains; the gateway itself does not
/// know whether it runs inside a silo or as a standalone client.
/// </summary>
public interface IBrokerCluster
{
    /// <summary>Hands messages for one topic to the cluster, in order; completes when they are accepted.</summary>
    Task PublishAsync(string topic, BrokerMessage[] messages);

    /// <summary>Makes this gateway a destination for topics matching <paramref name="filter"/>, cluster-wide,
    /// before it returns.</summary>
    Task AddRouteAsync(string filter);

    Task RemoveRouteAsync(string filter);

    /// <summary>Retained messages whose topics match <paramref name="filter"/>.</summary>
    Task<IReadOnlyList<BrokerMessage>> GetRetainedAsync(string filter);
}
