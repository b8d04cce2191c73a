using MqttCluster.Core.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>The gateway's view of the cluster, on Orleans grains. Counts messages per topic for the status page.</summary>
public sealed class OrleansBrokerCluster(IGrainFactory grainFactory, GatewayIdentity identity, TopicActivity topicActivity) : IBrokerCluster
{
    private IRouteIndexGrain RouteIndex => grainFactory.GetGrain<IRouteIndexGrain>(0);

    public Task<PublishOutcome> PublishAsync(string topic, BrokerMessage[] messages)
    {
        // '$' topics are the broker's own ($SYS), not traffic.
        if (!topic.StartsWith('$'))
        {
            topicActivity.Count(topic, messages.Length);
        }

        return TransientClusterFailure.RetryAsync(() => GrainReferences.Get<ITopicGrain>(grainFactory, topic).PublishAsync(messages));
    }

    public Task PublishSharedAsync(string groupRoute, string topic, BrokerMessage[] messages) =>
        TransientClusterFailure.RetryAsync(() => GrainReferences.Get<ITopicGrain>(grainFactory, topic).PublishSharedAsync(groupRoute, messages));

    public Task AddRouteAsync(string route) =>
        TransientClusterFailure.RetryIdempotentAsync(() => RouteIndex.AddRoutesAsync(identity.GatewayId, [route]));

    public Task RemoveRouteAsync(string route) =>
        TransientClusterFailure.RetryIdempotentAsync(() => RouteIndex.RemoveRoutesAsync(identity.GatewayId, [route]));

    public IClusterSession Session(string clientId) => new OrleansClusterSession(GrainReferences.Get<ISessionGrain>(grainFactory, clientId));

    public Task<IReadOnlyList<BrokerMessage>> GetRetainedAsync(string filter) =>
        TransientClusterFailure.RetryIdempotentAsync(() => RetainedLookup.MatchAsync(grainFactory, filter));
}
