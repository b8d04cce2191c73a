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
    /// retained state is stored and delivery to each destination gateway is queued in order.
    /// </summary>
    [Alias("Publish")]
    Task PublishAsync(BrokerMessage[] messages);

    /// <summary>
    /// Sends messages again to one member of a shared subscription group, because the member they went to
    /// disconnected before acknowledging them [MQTT-4.8.2-6].
    /// </summary>
    [Alias("PublishShared")]
    Task PublishSharedAsync(string groupRoute, BrokerMessage[] messages);

    /// <summary>The retained message of this topic, or null.</summary>
    [Alias("GetRetained")]
    Task<BrokerMessage?> GetRetainedAsync();
}
