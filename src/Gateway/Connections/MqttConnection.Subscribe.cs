using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Subscriptions;
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
        foreach (var requested in subscribe.TopicFilters)
        {
            var (code, subscription, isNew) = await SubscribeOneAsync(requested, subscribe.SubscriptionIdentifier);
            reasonCodes.Add(code);
            if (subscription is not null && ShouldSendRetained(requested.RetainHandling, isNew))
            {
                retainedToSend.Add(subscription);
            }
        }

        // Retained messages are read before SUBACK (the server may send PUBLISH before SUBACK, 3.8.4): a message
        // published after the client saw SUBACK is then only delivered live, never also as a stale retained copy
        // that could arrive after newer messages [MQTT-3.3.1-6].
        foreach (var subscription in retainedToSend)
        {
            await SendRetainedAsync(subscription);
        }

        // SUBACK only now: every granted filter is routable cluster-wide.
        _sender.Send(new MqttSubAckPacket { PacketIdentifier = subscribe.PacketIdentifier, ReasonCodes = reasonCodes });
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

        if (TopicFilter.TryParseShared(filter, out _, out _))
        {
            ConnectionLog.SubscriptionRefused(_services.Logger, ClientId, filter, "shared subscriptions are not available yet");
            return (IsV5 ? MqttSubscribeReasonCode.SharedSubscriptionsNotSupported : MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        if (IsV5 && requested.NoLocal && filter.StartsWith("$share/", StringComparison.Ordinal))
        {
            return (MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        var qos = (byte)Math.Min((int)requested.QualityOfServiceLevel, 2);
        var subscription = new Subscription(this, filter)
        {
            MaximumQoS = qos,
            NoLocal = IsV5 && requested.NoLocal,
            RetainAsPublished = IsV5 && requested.RetainAsPublished,
            SubscriptionIdentifier = IsV5 ? subscriptionIdentifier : 0,
        };

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

    private async Task SendRetainedAsync(Subscription subscription)
    {
        try
        {
            var messages = await _services.Cluster.GetRetainedAsync(subscription.Filter);
            foreach (var message in messages)
            {
                // A wildcard at the first level does not match '$' topics [MQTT-4.7.2-1]; the index already
                // honours that, and no-local does not apply to retained messages.
                Enqueue(
                    message,
                    Math.Min(message.QualityOfService, subscription.MaximumQoS),
                    retain: true,
                    subscription.SubscriptionIdentifier == 0 ? null : [subscription.SubscriptionIdentifier],
                    isRetainedForNewSubscription: true);
            }
        }
        catch (Exception exception)
        {
            ConnectionLog.RetainedLookupFailed(_services.Logger, ClientId, subscription.Filter, exception);
        }
    }

    private async Task UnsubscribeAsync(MqttUnsubscribePacket unsubscribe)
    {
        var reasonCodes = new List<MqttUnsubscribeReasonCode>(unsubscribe.TopicFilters.Count);
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
            }
            catch (Exception exception)
            {
                ConnectionLog.SubscribeFailed(_services.Logger, ClientId, filter, exception);
                reasonCodes.Add(MqttUnsubscribeReasonCode.ImplementationSpecificError);
            }
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
