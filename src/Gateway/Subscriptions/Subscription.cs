namespace MqttCluster.Gateway.Subscriptions;

/// <summary>One topic filter of one session, with its MQTT subscription options.</summary>
public sealed class Subscription(ISubscriber subscriber, string filter, string? sharedGroupRoute = null)
{
    public ISubscriber Subscriber { get; } = subscriber;

    /// <summary>The filter topics are matched against (for a shared subscription, the part after the group).</summary>
    public string Filter { get; } = filter;

    /// <summary>For a shared subscription the whole <c>$share/{group}/{filter}</c>, which is also its route.</summary>
    public string? SharedGroupRoute { get; } = sharedGroupRoute;

    /// <summary>What the client subscribed to, and the route this subscription needs.</summary>
    public string Route => SharedGroupRoute ?? Filter;

    public byte MaximumQoS { get; init; }

    /// <summary>MQTT 5: do not send the session's own publications back to it [MQTT-3.8.3-3].</summary>
    public bool NoLocal { get; init; }

    /// <summary>MQTT 5: keep the RETAIN flag of forwarded messages as published [MQTT-3.3.1-12].</summary>
    public bool RetainAsPublished { get; init; }

    /// <summary>MQTT 5 subscription identifier, 0 when none.</summary>
    public uint SubscriptionIdentifier { get; init; }
}
