using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// SUBSCRIBE and UNSUBSCRIBE of one connection: the filters go through <see cref="ConnectionSubscriptions"/> (checks,
/// ACL, routes), a persistent session's go to its grain, and the answers go out through
/// <see cref="OutboundPublishes"/> with the retained messages of new subscriptions.
/// </summary>
internal sealed class SubscriptionRequests(
    MqttConnection connection,
    GatewayServices services,
    ConnectionSubscriptions subscriptions,
    OutboundPublishes outbound,
    MqttPacketSender sender)
{
    private bool IsV5 => connection.ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>Answers SUBSCRIBE: each filter checked and routed cluster-wide, a persistent session's subscriptions
    /// stored, then SUBACK and the retained messages of the new subscriptions, before any live message for them.</summary>
    public async Task SubscribeAsync(MqttSubscribePacket subscribe, AcceptedConnect client, long epoch)
    {
        if (subscribe.TopicFilters is not { Count: > 0 })
        {
            // [MQTT-3.8.3-2]: a SUBSCRIBE must carry at least one filter.
            throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "SUBSCRIBE without topic filters.");
        }

        var reasonCodes = new List<MqttSubscribeReasonCode>(subscribe.TopicFilters.Count);
        var retainedToSend = new List<Subscription>();
        // Live messages that match the new subscriptions wait until SUBACK and the retained messages are out.
        outbound.Hold();

        var granted = new List<SessionSubscription>();
        foreach (var requested in subscribe.TopicFilters)
        {
            var (code, subscription, isNew) = await subscriptions.AddAsync(requested, subscribe.SubscriptionIdentifier, IsV5, client.Access.IfActive, client.Access.Username);
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

        if (client.IsPersistent && granted.Count > 0)
        {
            // A persistent session's subscriptions outlive the connection: stored before the SUBACK.
            await services.Cluster.Session(client.ClientId).UpdateSubscriptionsAsync(epoch, [.. granted], []);
        }

        // The retained messages are read before SUBACK, so they are those that existed when the subscription was
        // made: a message published after the client saw SUBACK arrives live only [MQTT-3.3.1-6].
        var retained = new List<(BrokerMessage Message, Subscription Subscription)>();
        foreach (var subscription in retainedToSend)
        {
            retained.AddRange((await ReadRetainedAsync(subscription, client.ClientId)).Select(m => (m, subscription)));
        }

        // SUBACK only now: every granted filter is routable cluster-wide. It goes before any PUBLISH for the new
        // subscriptions: clients such as mosquitto_sub -C 1 count a PUBLISH that precedes the SUBACK and then
        // exit without DISCONNECT.
        outbound.SendSubAckThenRetained(
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
    private async Task<IReadOnlyList<BrokerMessage>> ReadRetainedAsync(Subscription subscription, string clientId)
    {
        try
        {
            return await services.Cluster.GetRetainedAsync(subscription.Filter);
        }
        catch (Exception exception)
        {
            ConnectionLog.RetainedLookupFailed(services.Logger, clientId, subscription.Filter, exception);
            return [];
        }
    }

    /// <summary>Answers UNSUBSCRIBE; a persistent session forgets the filters before UNSUBACK.</summary>
    public async Task UnsubscribeAsync(MqttUnsubscribePacket unsubscribe, AcceptedConnect client, long epoch)
    {
        var reasonCodes = new List<MqttUnsubscribeReasonCode>(unsubscribe.TopicFilters.Count);
        var unsubscribed = new List<string>();
        foreach (var filter in unsubscribe.TopicFilters)
        {
            var code = await subscriptions.RemoveAsync(filter, client.Access.IfActive, client.Access.Username);
            reasonCodes.Add(code);
            if (code == MqttUnsubscribeReasonCode.Success)
            {
                unsubscribed.Add(filter);
            }
        }

        if (client.IsPersistent && unsubscribed.Count > 0)
        {
            await services.Cluster.Session(client.ClientId).UpdateSubscriptionsAsync(epoch, [], [.. unsubscribed]);
        }

        sender.Send(new MqttUnsubAckPacket { PacketIdentifier = unsubscribe.PacketIdentifier, ReasonCodes = reasonCodes });
    }
}
