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
/// Subscribers whose QoS 1/2 queue is congested after the delivery are collected, so the caller can answer the
/// cluster at their pace (Mqtt:SlowSubscribers).
/// </summary>
public sealed class LocalFanOut(LocalSubscriptions subscriptions, DepartedSessions departed, GatewayIdentity identity, IOptions<TelemetryOptions> telemetry)
{
    private readonly int _maxSendSpans = telemetry.Value.MaxSendSpansPerMessage;

    [ThreadStatic]
    private static List<Subscription>? t_matches;

    public void Deliver(GatewayDelivery delivery, ref List<ISubscriber>? congested)
    {
        var message = delivery.Message;
        var matches = t_matches ??= [];
        matches.Clear();
        subscriptions.Match(message.Topic, matches);
        departed.Rescue(message);

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
                DeliverOne(message, matches[0], sharedGroupRoute: null, sendSpan, ref congested);
            }
            else if (matches.Count > 1)
            {
                DeliverMany(message, matches, sendSpan, ref congested);
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
                DeliverShared(message, group, excluding: null, ref congested, sendSpan);
            }
        }
    }

    /// <summary>Gives a shared-subscription message to a local member of its group; false when none is here.</summary>
    public bool DeliverShared(BrokerMessage message, string groupRoute, ISubscriber? excluding, ref List<ISubscriber>? congested, SendSpanParent? sendSpan = null)
    {
        var member = subscriptions.NextSharedMember(groupRoute, excluding);
        if (member is null)
        {
            return false;
        }

        // No-local does not apply to shared subscriptions [MQTT-3.8.3-4 forbids it there].
        DeliverOne(message, member, groupRoute, sendSpan, ref congested);
        return true;
    }

    private static void DeliverOne(BrokerMessage message, Subscription subscription, string? sharedGroupRoute, SendSpanParent? sendSpan, ref List<ISubscriber>? congested)
    {
        if (IsOwnMessageExcluded(message, subscription))
        {
            return;
        }

        var qos = Math.Min(message.QualityOfService, subscription.MaximumQoS);
        subscription.Subscriber.Deliver(
            message,
            (byte)qos,
            subscription.RetainAsPublished && message.Retain,
            subscription.SubscriptionIdentifier == 0 ? null : [subscription.SubscriptionIdentifier],
            sharedGroupRoute,
            sendSpan);
        NoteCongestion(subscription.Subscriber, qos, ref congested);
    }

    private static void NoteCongestion(ISubscriber subscriber, int qos, ref List<ISubscriber>? congested)
    {
        if (qos > 0 && subscriber.IsCongested && congested?.Contains(subscriber) != true)
        {
            (congested ??= []).Add(subscriber);
        }
    }

    private static void DeliverMany(BrokerMessage message, List<Subscription> matches, SendSpanParent? sendSpan, ref List<ISubscriber>? congested)
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
            subscriber.Deliver(message, plan.Qos, plan.Retain, plan.Ids, sharedGroupRoute: null, sendSpan);
            NoteCongestion(subscriber, plan.Qos, ref congested);
        }
    }

    private static bool IsOwnMessageExcluded(BrokerMessage message, Subscription subscription) =>
        subscription.NoLocal && message.PublisherClientId == subscription.Subscriber.ClientId;
}
