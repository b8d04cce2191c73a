namespace MqttCluster.Gateway.Subscriptions;

/// <summary>One topic filter of one session, with its MQTT subscription options.</summary>
public sealed class Subscription(ISubscriber subscriber, string filter)
{
    public ISubscriber Subscriber { get; } = subscriber;

    public string Filter { get; } = filter;

    public byte MaximumQoS { get; init; }

    /// <summary>MQTT 5: do not send the session's own publications back to it [MQTT-3.8.3-3].</summary>
    public bool NoLocal { get; init; }

    /// <summary>MQTT 5: keep the RETAIN flag of forwarded messages as published [MQTT-3.3.1-12].</summary>
    public bool RetainAsPublished { get; init; }

    /// <summary>MQTT 5 subscription identifier, 0 when none.</summary>
    public uint SubscriptionIdentifier { get; init; }
}
