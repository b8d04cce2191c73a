using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>SUBSCRIBE / UNSUBSCRIBE, and retained messages for new subscriptions.</summary>
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
        lock (_outboundLock)
        {
            // Live messages that match the new subscriptions wait until SUBACK and the retained messages are out.
            _delivery.Hold();
        }

        var granted = new List<SessionSubscription>();
        foreach (var requested in subscribe.TopicFilters)
        {
            var (code, subscription, isNew) = await SubscribeOneAsync(requested, subscribe.SubscriptionIdentifier);
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
        lock (_outboundLock)
        {
            _sender.Send(new MqttSubAckPacket { PacketIdentifier = subscribe.PacketIdentifier, ReasonCodes = reasonCodes });
            _delivery.SendRetainedThenHeld(retained.Select(r => new PendingDelivery(
                r.Message,
                Math.Min(r.Message.QualityOfService, r.Subscription.MaximumQoS),
                true,
                r.Subscription.SubscriptionIdentifier == 0 ? null : [r.Subscription.SubscriptionIdentifier],
                null)));
        }
    }

    private async Task<(MqttSubscribeReasonCode Code, Subscription? Subscription, bool IsNew)> SubscribeOneAsync(MqttTopicFilter requested, uint subscriptionIdentifier)
    {
        var filter = requested.Topic ?? string.Empty;
        var error = TopicFilter.Validate(filter);
        if (error != TopicValidationError.None)
        {
            ConnectionLog.SubscriptionRefused(_services.Logger, ClientId, filter, error.ToString());
            return (IsV5 ? MqttSubscribeReasonCode.TopicFilterInvalid : MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        if (ExceedsTopicLimits(filter))
        {
            ConnectionLog.SubscriptionRefused(_services.Logger, ClientId, filter, "longer or deeper than Mqtt:MaxTopicLength / Mqtt:MaxTopicLevels");
            return (IsV5 ? MqttSubscribeReasonCode.TopicFilterInvalid : MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        var maxSubscriptions = _services.Options.MaxSubscriptionsPerClient;
        lock (_subscriptions)
        {
            if (maxSubscriptions > 0 && !_subscriptions.ContainsKey(filter) && _subscriptions.Count >= maxSubscriptions)
            {
                ConnectionLog.SubscriptionRefused(_services.Logger, ClientId, filter, $"Mqtt:MaxSubscriptionsPerClient ({maxSubscriptions}) reached");
                return (IsV5 ? MqttSubscribeReasonCode.QuotaExceeded : MqttSubscribeReasonCode.UnspecifiedError, null, false);
            }
        }

        if (_services.Authorizer.IsActive && !Permissions.CanSubscribe(filter))
        {
            ConnectionLog.AccessDenied(_services.Logger, ClientId, _username ?? "anonymous", "subscribe to", filter);
            return (IsV5 ? MqttSubscribeReasonCode.NotAuthorized : MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        if (IsV5 && requested.NoLocal && TopicFilter.TryParseShared(filter, out _, out _))
        {
            // [MQTT-3.8.3-4]: no-local on a shared subscription is a protocol error.
            throw new Transport.MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"No Local set on shared subscription '{filter}' [MQTT-3.8.3-4].");
        }

        var qos = (byte)Math.Min((int)requested.QualityOfServiceLevel, 2);
        var subscription = CreateSubscription(filter, qos, IsV5 && requested.NoLocal, IsV5 && requested.RetainAsPublished, IsV5 ? subscriptionIdentifier : 0);

        Subscription? replaced;
        lock (_subscriptions)
        {
            _subscriptions.TryGetValue(filter, out replaced);
            _subscriptions[filter] = subscription;
        }

        try
        {
            // Add the new one before removing the old: the filter's route never lapses [MQTT-3.8.4-3].
            await _services.Subscriptions.AddAsync(subscription);
            if (replaced is not null)
            {
                await _services.Subscriptions.RemoveAsync(replaced);
            }
        }
        catch (Exception exception)
        {
            ConnectionLog.SubscribeFailed(_services.Logger, ClientId, filter, exception);
            lock (_subscriptions)
            {
                _subscriptions.Remove(filter);
            }

            return (MqttSubscribeReasonCode.ImplementationSpecificError, null, false);
        }

        return ((MqttSubscribeReasonCode)qos, subscription, replaced is null);
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
            if (TopicFilter.Validate(filter) != TopicValidationError.None)
            {
                reasonCodes.Add(MqttUnsubscribeReasonCode.TopicFilterInvalid);
                continue;
            }

            Subscription? removed;
            lock (_subscriptions)
            {
                _subscriptions.Remove(filter, out removed);
            }

            if (removed is null)
            {
                reasonCodes.Add(MqttUnsubscribeReasonCode.NoSubscriptionExisted);
                continue;
            }

            try
            {
                await _services.Subscriptions.RemoveAsync(removed);
                reasonCodes.Add(MqttUnsubscribeReasonCode.Success);
                unsubscribed.Add(filter);
            }
            catch (Exception exception)
            {
                ConnectionLog.SubscribeFailed(_services.Logger, ClientId, filter, exception);
                reasonCodes.Add(MqttUnsubscribeReasonCode.ImplementationSpecificError);
            }
        }

        if (IsPersistent && unsubscribed.Count > 0)
        {
            await Session.UpdateSubscriptionsAsync(_epoch, [], [.. unsubscribed]);
        }

        _sender.Send(new MqttUnsubAckPacket { PacketIdentifier = unsubscribe.PacketIdentifier, ReasonCodes = reasonCodes });
    }

    private async Task RemoveAllSubscriptionsAsync()
    {
        Subscription[] all;
        lock (_subscriptions)
        {
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }

        foreach (var subscription in all)
        {
            try
            {
                await _services.Subscriptions.RemoveAsync(subscription);
            }
            catch (Exception exception)
            {
                ConnectionLog.SubscribeFailed(_services.Logger, ClientId, subscription.Filter, exception);
            }
        }
    }
}
