using MqttCluster.Core.Topics;

namespace MqttCluster.Grains;

/// <summary>The retained messages whose topics match a filter: the topic grain itself for a plain filter, the
/// retained index's partitions for a wildcard one. Shared by gateways (retained messages on SUBSCRIBE) and bridges
/// (retained messages sent to the remote when a bridge connects).</summary>
public static class RetainedLookup
{
    public static async Task<IReadOnlyList<BrokerMessage>> MatchAsync(IGrainFactory grainFactory, string filter)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        if (!TopicFilter.HasWildcard(filter))
        {
            var message = await GrainReferences.Get<ITopicGrain>(grainFactory, filter).GetRetainedAsync();
            return message is null ? [] : [message];
        }

        var partitions = RetainedIndexPartition.ForFilter(filter)
            .Select(p => grainFactory.GetGrain<IRetainedIndexGrain>(p).MatchAsync(filter));
        var topics = (await Task.WhenAll(partitions)).SelectMany(t => t).Order(StringComparer.Ordinal).ToArray();
        var messages = await Task.WhenAll(topics.Select(t => GrainReferences.Get<ITopicGrain>(grainFactory, t).GetRetainedAsync()));
        return [.. messages.OfType<BrokerMessage>()];
    }
}
