using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// Hands a message that reached this gateway to each matching local session, once per session even when several
/// of its filters match: at the highest granted QoS [MQTT-3.3.5-1], with all matching subscription identifiers.
/// For each shared group the cluster chose this gateway for, one local member gets it. A traced message gets a
/// delivery span here, and each subscriber a send span under it unless there are too many subscribers.
/// What the answer to the cluster must wait for (congested subscribers, hand-offs to session grains) is collected
/// in <see cref="DeliveryWaits"/>.
/// </summary>
public sealed class LocalFanOut(LocalSubscriptions subscriptions, DepartedSessions departed, GatewayIdentity identity, IOptions<TelemetryOptions> telemetry)
{
    private readonly int _maxSendSpans = telemetry.Value.MaxSendSpansPerMessage;

    [ThreadStatic]
    private static List<Subscription>? t_matches;

    public void Deliver(GatewayDelivery delivery, ref DeliveryWaits waits)
    {
        var message = delivery.Message;
        var matches = t_matches ??= [];
        matches.Clear();
        subscriptions.Match(message.Topic, matches);
        departed.Rescue(message, ref waits);

        using var span = MessageTracing.StartDeliver(message, identity.GatewayId);
        SendSpanParent? sendSpan = null;
        if (span is not null)
        {
            var subscribers = matches.Count + (delivery.SharedGroups?.Length ?? 0);
            span.SetTag(MessagingAttributes.Subscribers, subscribers);
            message = message.ContinuedBy(span);
            if (subscribers <= _maxSendSpans)
            {
                sendSpan = new SendSpanParent(span.Context, span.StartTimeUtc);
            }
        }

        try
        {
            if (matches.Count == 1)
            {
                DeliverOne(message, matches[0], sharedGroupRoute: null, sendSpan, ref waits);
            }
            else if (matches.Count > 1)
            {
                DeliverMany(message, matches, sendSpan, ref waits);
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
                DeliverShared(message, group, excluding: null, ref waits, sendSpan);
            }
        }
    }

    /// <summary>Gives a shared-subscription message to a local member of its group; false when none is here.</summary>
    private bool DeliverShared(BrokerMessage message, string groupRoute, ISubscriber? excluding, ref DeliveryWaits waits, SendSpanParent? sendSpan = null)
    {
        var member = subscriptions.NextSharedMember(groupRoute, excluding);
        if (member is null)
        {
            return false;
        }

        // No-local does not apply to shared subscriptions [MQTT-3.8.3-4 forbids it there].
        DeliverOne(message, member, groupRoute, sendSpan, ref waits);
        return true;
    }

    private static void DeliverOne(BrokerMessage message, Subscription subscription, string? sharedGroupRoute, SendSpanParent? sendSpan, ref DeliveryWaits waits)
    {
        if (IsOwnMessageExcluded(message, subscription))
        {
            return;
        }

        var qos = Math.Min(message.QualityOfService, subscription.MaximumQoS);
        var handOff = subscription.Subscriber.Deliver(
            message,
            (byte)qos,
            subscription.RetainAsPublished && message.Retain,
            subscription.SubscriptionIdentifier == 0 ? null : [subscription.SubscriptionIdentifier],
            sharedGroupRoute,
            sendSpan);
        NoteWaits(subscription.Subscriber, qos, handOff, ref waits);
    }

    private static void NoteWaits(ISubscriber subscriber, int qos, Task? handOff, ref DeliveryWaits waits)
    {
        if (handOff is not null)
        {
            waits.AddHandOff(handOff);
        }
        else if (qos > 0 && subscriber.IsCongested)
        {
            waits.NoteCongested(subscriber);
        }
    }

    private static void DeliverMany(BrokerMessage message, List<Subscription> matches, SendSpanParent? sendSpan, ref DeliveryWaits waits)
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
            var handOff = subscriber.Deliver(message, plan.Qos, plan.Retain, plan.Ids, sharedGroupRoute: null, sendSpan);
            NoteWaits(subscriber, plan.Qos, handOff, ref waits);
        }
    }

    private static bool IsOwnMessageExcluded(BrokerMessage message, Subscription subscription) =>
        subscription.NoLocal && message.PublisherClientId == subscription.Subscriber.ClientId;
}
