using Orleans.Concurrency;

namespace MqttCluster.Grains;

/// <summary>
/// One grain per topic name. It accepts the messages published to its topic, keeps the retained message and
/// forwards each accepted batch to every gateway that has a matching subscription, in order.
/// </summary>
[Alias("mqtt.ITopicGrain")]
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>
    /// Accepts messages for this topic, in order. When the returned task completes the messages are accepted:
    /// retained state is stored, and QoS 1/2 messages have reached every destination (each gateway with matching
    /// subscribers, each offline session) or were handed to the sessions of a gateway that could not take them.
    /// Calls interleave, so one waiting for its destinations does not hold back the next; a publisher's calls are
    /// made one after another, which keeps its messages in order. The outcome says whether any destination matched.
    /// </summary>
    /// <remarks>Longer than the default response timeout: a destination that does not answer is tried again
    /// (<c>DeliveryBudget.RetryDelays</c>) before its messages go to its sessions; <c>DeliveryBudget.PublishTimeout</c>,
    /// checked against what that takes.</remarks>
    [Alias("Publish"), AlwaysInterleave, ResponseTimeout("00:00:30")]
    Task<PublishOutcome> PublishAsync([Immutable] BrokerMessage[] messages);

    /// <summary>
    /// Sends messages again to one member of a shared subscription group, because the member they went to
    /// disconnected before acknowledging them [MQTT-4.8.2-6]. The batch is not copied (the caller builds it for
    /// this call): like <see cref="PublishAsync"/>, so that a reference to this interface has no copier to build.
    /// </summary>
    [Alias("PublishShared")]
    Task PublishSharedAsync(string groupRoute, [Immutable] BrokerMessage[] messages);

    /// <summary>The retained message of this topic, or null.</summary>
    [Alias("GetRetained")]
    Task<BrokerMessage?> GetRetainedAsync();
}
