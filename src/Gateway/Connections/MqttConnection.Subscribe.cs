using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>SUBSCRIBE / UNSUBSCRIBE, retained messages for new subscriptions, and the client's ACL.</summary>
public sealed partial class MqttConnection
{
    private async Task SubscribeAsync(MqttSubscribePacket subscribe)
    {
        if (subscribe.TopicFilters is not { Count: > 0 })
        {
            // [MQTT-3.8.3-2]: a SUBSCRIBE must carry at least one filter.
            throw new Transport.MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "SUBSCRIBE without topic filters.");
        }

        var reasonCodes = new List<MqttSubscribeReasonCode>(subscribe.TopicFilters.Count);
        var retainedToSend = new List<Subscription>();
        // Live messages that match the new subscriptions wait until SUBACK and the retained messages are out.
        _outbound.Hold();

        var granted = new List<SessionSubscription>();
        foreach (var requested in subscribe.TopicFilters)
        {
            var (code, subscription, isNew) = await _subscriptions.AddAsync(requested, subscribe.SubscriptionIdentifier, IsV5, _client.Access.IfActive, _client.Access.Username);
            reasonCodes.Add(code);
            if (subscription is null)
            {
                continue;
            }

            granted.Add(new SessionSubscription
            {
                Filter = subscription.Route,
                MaximumQoS = subscription.MaximumQoS,
                NoLocal = subscription.NoLocal,
                RetainAsPublished = subscription.RetainAsPublished,
                SubscriptionIdentifier = subscription.SubscriptionIdentifier,
            });

            // Retained messages are not sent for shared subscriptions (MQTT 5, 4.8.2).
            if (subscription.SharedGroupRoute is null && ShouldSendRetained(requested.RetainHandling, isNew))
            {
                retainedToSend.Add(subscription);
            }
        }

        if (IsPersistent && granted.Count > 0)
        {
            // A persistent session's subscriptions outlive the connection: stored before the SUBACK.
            await Session.UpdateSubscriptionsAsync(_epoch, [.. granted], []);
        }

        // The retained messages are read before SUBACK, so they are those that existed when the subscription was
        // made: a message published after the client saw SUBACK arrives live only [MQTT-3.3.1-6].
        var retained = new List<(BrokerMessage Message, Subscription Subscription)>();
        foreach (var subscription in retainedToSend)
        {
            retained.AddRange((await ReadRetainedAsync(subscription)).Select(m => (m, subscription)));
        }

        // SUBACK only now: every granted filter is routable cluster-wide. It goes before any PUBLISH for the new
        // subscriptions: clients such as mosquitto_sub -C 1 count a PUBLISH that precedes the SUBACK and then
        // exit without DISCONNECT.
        _outbound.SendSubAckThenRetained(
            new MqttSubAckPacket { PacketIdentifier = subscribe.PacketIdentifier, ReasonCodes = reasonCodes },
            retained.Select(r => new PendingDelivery(
                r.Message,
                Math.Min(r.Message.QualityOfService, r.Subscription.MaximumQoS),
                true,
                r.Subscription.SubscriptionIdentifier == 0 ? null : [r.Subscription.SubscriptionIdentifier],
                null)));
    }

    private static bool ShouldSendRetained(MqttRetainHandling handling, bool isNew) => handling switch
    {
        MqttRetainHandling.SendAtSubscribe => true,
        MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly => isNew,
        _ => false,
    };

    /// <summary>The retained messages for a new subscription. A wildcard at the first level does not match '$'
    /// topics [MQTT-4.7.2-1]; the index already honours that, and no-local does not apply to retained messages.</summary>
    private async Task<IReadOnlyList<BrokerMessage>> ReadRetainedAsync(Subscription subscription)
    {
        try
        {
            return await _services.Cluster.GetRetainedAsync(subscription.Filter);
        }
        catch (Exception exception)
        {
            ConnectionLog.RetainedLookupFailed(_services.Logger, ClientId, subscription.Filter, exception);
            return [];
        }
    }

    private async Task UnsubscribeAsync(MqttUnsubscribePacket unsubscribe)
    {
        var reasonCodes = new List<MqttUnsubscribeReasonCode>(unsubscribe.TopicFilters.Count);
        var unsubscribed = new List<string>();
        foreach (var filter in unsubscribe.TopicFilters)
        {
            var code = await _subscriptions.RemoveAsync(filter, _client.Access.IfActive, _client.Access.Username);
            reasonCodes.Add(code);
            if (code == MqttUnsubscribeReasonCode.Success)
            {
                unsubscribed.Add(filter);
            }
        }

        if (IsPersistent && unsubscribed.Count > 0)
        {
            await Session.UpdateSubscriptionsAsync(_epoch, [], [.. unsubscribed]);
        }

        _sender.Send(new MqttUnsubAckPacket { PacketIdentifier = unsubscribe.PacketIdentifier, ReasonCodes = reasonCodes });
    }
}
