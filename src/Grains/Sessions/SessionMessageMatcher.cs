using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Decides how an offline session receives a message: across its matching non-shared subscriptions the highest
/// granted QoS [MQTT-3.3.5-1], all their subscription identifiers, and retain only with retain-as-published.
/// </summary>
internal static class SessionMessageMatcher
{
    public static OutboundMessage? Match(string clientId, IEnumerable<SessionSubscription> subscriptions, BrokerMessage message)
    {
        var matched = false;
        byte qos = 0;
        var retain = false;
        List<uint>? identifiers = null;
        foreach (var subscription in subscriptions)
        {
            if (TopicFilter.TryParseShared(subscription.Filter, out _, out _) ||
                !TopicFilter.Matches(subscription.Filter, message.Topic) ||
                (subscription.NoLocal && message.PublisherClientId == clientId))
            {
                continue;
            }

            matched = true;
            qos = Math.Max(qos, Math.Min(message.QualityOfService, subscription.MaximumQoS));
            retain |= subscription.RetainAsPublished && message.Retain;
            if (subscription.SubscriptionIdentifier != 0)
            {
                (identifiers ??= []).Add(subscription.SubscriptionIdentifier);
            }
        }

        return matched
            ? new OutboundMessage { Message = message, QualityOfService = qos, Retain = retain, SubscriptionIdentifiers = identifiers?.ToArray() }
            : null;
    }
}
