using MqttCluster.Grains;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// Hands a message that reached this gateway to each matching local session, once per session even when several
/// of its filters match: at the highest granted QoS [MQTT-3.3.5-1], with all matching subscription identifiers.
/// For each shared group the cluster chose this gateway for, one local member gets it.
/// </summary>
public sealed class LocalFanOut(LocalSubscriptions subscriptions)
{
    [ThreadStatic]
    private static List<Subscription>? t_matches;

    public void Deliver(GatewayDelivery delivery)
    {
        var message = delivery.Message;
        var matches = t_matches ??= [];
        matches.Clear();
        subscriptions.Match(message.Topic, matches);
        try
        {
            if (matches.Count == 1)
            {
                DeliverOne(message, matches[0], sharedGroupRoute: null);
            }
            else if (matches.Count > 1)
            {
                DeliverMany(message, matches);
            }
        }
        finally
        {
            matches.Clear();
        }

        if (delivery.SharedGroups is { } groups)
        {
            foreach (var group in groups)
            {
                DeliverShared(message, group, excluding: null);
            }
        }
    }

    /// <summary>Gives a shared-subscription message to a local member of its group; false when none is here.</summary>
    public bool DeliverShared(BrokerMessage message, string groupRoute, ISubscriber? excluding)
    {
        var member = subscriptions.NextSharedMember(groupRoute, excluding);
        if (member is null)
        {
            return false;
        }

        // No-local does not apply to shared subscriptions [MQTT-3.8.3-4 forbids it there].
        DeliverOne(message, member, groupRoute);
        return true;
    }

    private static void DeliverOne(BrokerMessage message, Subscription subscription, string? sharedGroupRoute)
    {
        if (IsOwnMessageExcluded(message, subscription))
        {
            return;
        }

        subscription.Subscriber.Deliver(
            message,
            Math.Min(message.QualityOfService, subscription.MaximumQoS),
            subscription.RetainAsPublished && message.Retain,
            subscription.SubscriptionIdentifier == 0 ? null : [subscription.SubscriptionIdentifier],
            sharedGroupRoute);
    }

    private static void DeliverMany(BrokerMessage message, List<Subscription> matches)
    {
        var perSubscriber = new Dictionary<ISubscriber, (byte Qos, bool Retain, List<uint>? Ids)>(ReferenceEqualityComparer.Instance);
        foreach (var subscription in matches)
        {
            if (IsOwnMessageExcluded(message, subscription))
            {
                continue;
            }

            var qos = Math.Min(message.QualityOfService, subscription.MaximumQoS);
            var retain = subscription.RetainAsPublished && message.Retain;
            if (perSubscriber.TryGetValue(subscription.Subscriber, out var plan))
            {
                qos = Math.Max(qos, plan.Qos);
                retain |= plan.Retain;
            }

            var ids = plan.Ids;
            if (subscription.SubscriptionIdentifier != 0)
            {
                (ids ??= []).Add(subscription.SubscriptionIdentifier);
            }

            perSubscriber[subscription.Subscriber] = ((byte)qos, retain, ids);
        }

        foreach (var (subscriber, plan) in perSubscriber)
        {
            subscriber.Deliver(message, plan.Qos, plan.Retain, plan.Ids, sharedGroupRoute: null);
        }
    }

    private static bool IsOwnMessageExcluded(BrokerMessage message, Subscription subscription) =>
        subscription.NoLocal && message.PublisherClientId == subscription.Subscriber.ClientId;
}
