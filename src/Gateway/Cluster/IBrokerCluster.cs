using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// What a gateway's MQTT path (connections, subscriptions, departed sessions) needs from the cluster, in the gateway's
/// own terms: no grain interface appears here, only the messages exchanged. One implementation talks to Orleans
/// grains; the gateway itself does not know whether it runs inside a silo or as a standalone client. (Management,
/// status and dynamic security talk to their grains directly.)
/// </summary>
public interface IBrokerCluster
{
    /// <summary>Hands messages for one topic to the cluster, in order; completes when they are accepted, saying
    /// whether any destination matched.</summary>
    Task<PublishOutcome> PublishAsync(string topic, BrokerMessage[] messages);

    /// <summary>Sends messages of a shared subscription group again to one of its members (the member they were
    /// given to left without acknowledging them).</summary>
    Task PublishSharedAsync(string groupRoute, string topic, BrokerMessage[] messages);

    /// <summary>Makes this gateway a destination for <paramref name="route"/> (a filter or a shared group),
    /// cluster-wide, before it returns.</summary>
    Task AddRouteAsync(string route);

    Task RemoveRouteAsync(string route);

    /// <summary>Retained messages whose topics match <paramref name="filter"/>.</summary>
    Task<IReadOnlyList<BrokerMessage>> GetRetainedAsync(string filter);

    /// <summary>The session authority for a client id.</summary>
    IClusterSession Session(string clientId);
}
