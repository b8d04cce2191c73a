using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Security;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// One connection's subscriptions by filter: what a SUBSCRIBE may add (filter rules, limits, the ACL) and an
/// UNSUBSCRIBE may remove, kept in step with the gateway's routes. The connection answers the packets; this keeps
/// the set.
/// </summary>
internal sealed class ConnectionSubscriptions(MqttConnection connection, GatewayServices services)
{
    private readonly Dictionary<string, Subscription> _byFilter = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) the subscription a SUBSCRIBE asks for; the code is what SUBACK says of it.</summary>
    /// <param name="permissions">The client's ACL, null when no ACL is in force.</param>
    public async Task<(MqttSubscribeReasonCode Code, Subscription? Subscription, bool IsNew)> AddAsync(
        MqttTopicFilter requested, uint subscriptionIdentifier, bool isV5, IClientPermissions? permissions, string? username)
    {
        var filter = requested.Topic ?? string.Empty;
        var refused = isV5 ? MqttSubscribeReasonCode.TopicFilterInvalid : MqttSubscribeReasonCode.UnspecifiedError;
        var error = TopicFilter.Validate(filter);
        if (error != TopicValidationError.None)
        {
            ConnectionLog.SubscriptionRefused(services.Logger, connection.ClientId, filter, error.ToString());
            return (refused, null, false);
        }

        if (services.Options.ExceedsTopicLimits(filter))
        {
            ConnectionLog.SubscriptionRefused(services.Logger, connection.ClientId, filter, "longer or deeper than Mqtt:MaxTopicLength / Mqtt:MaxTopicLevels");
            return (refused, null, false);
        }

        var maxSubscriptions = services.Options.MaxSubscriptionsPerClient;
        lock (_byFilter)
        {
            if (maxSubscriptions > 0 && !_byFilter.ContainsKey(filter) && _byFilter.Count >= maxSubscriptions)
            {
                ConnectionLog.SubscriptionRefused(services.Logger, connection.ClientId, filter, $"Mqtt:MaxSubscriptionsPerClient ({maxSubscriptions}) reached");
                return (isV5 ? MqttSubscribeReasonCode.QuotaExceeded : MqttSubscribeReasonCode.UnspecifiedError, null, false);
            }
        }

        if (permissions is not null && !permissions.CanSubscribe(filter))
        {
            ConnectionLog.AccessDenied(services.Logger, connection.ClientId, username ?? "anonymous", "subscribe to", filter);
            return (isV5 ? MqttSubscribeReasonCode.NotAuthorized : MqttSubscribeReasonCode.UnspecifiedError, null, false);
        }

        if (isV5 && requested.NoLocal && TopicFilter.TryParseShared(filter, out _, out _))
        {
            // [MQTT-3.8.3-4]: no-local on a shared subscription is a protocol error.
            throw new Transport.MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"No Local set on shared subscription '{filter}' [MQTT-3.8.3-4].");
        }

        var qos = (byte)Math.Min((int)requested.QualityOfServiceLevel, 2);
        var subscription = Create(filter, qos, isV5 && requested.NoLocal, isV5 && requested.RetainAsPublished, isV5 ? subscriptionIdentifier : 0);
        Subscription? replaced;
        lock (_byFilter)
        {
            _byFilter.TryGetValue(filter, out replaced);
            _byFilter[filter] = subscription;
        }

        try
        {
            // Add the new one before removing the old: the filter's route never lapses [MQTT-3.8.4-3].
            await services.Subscriptions.AddAsync(subscription);
            if (replaced is not null)
            {
                await services.Subscriptions.RemoveAsync(replaced);
            }
        }
        catch (Exception exception)
        {
            ConnectionLog.SubscribeFailed(services.Logger, connection.ClientId, filter, exception);
            lock (_byFilter)
            {
                _byFilter.Remove(filter);
            }

            return (MqttSubscribeReasonCode.ImplementationSpecificError, null, false);
        }

        return ((MqttSubscribeReasonCode)qos, subscription, replaced is null);
    }

    /// <summary>Removes the subscription an UNSUBSCRIBE names; the code is what UNSUBACK says of it. A filter the
    /// ACL does not let the client unsubscribe from stays (v5: 0x87), as with Mosquitto's unsubscribe ACLs.</summary>
    public async Task<MqttUnsubscribeReasonCode> RemoveAsync(string filter, IClientPermissions? permissions, string? username)
    {
        if (TopicFilter.Validate(filter) != TopicValidationError.None)
        {
            return MqttUnsubscribeReasonCode.TopicFilterInvalid;
        }

        if (permissions is not null && !permissions.CanUnsubscribe(filter))
        {
            ConnectionLog.AccessDenied(services.Logger, connection.ClientId, username ?? "anonymous", "unsubscribe from", filter);
            return MqttUnsubscribeReasonCode.NotAuthorized;
        }

        Subscription? removed;
        lock (_byFilter)
        {
            _byFilter.Remove(filter, out removed);
        }

        if (removed is null)
        {
            return MqttUnsubscribeReasonCode.NoSubscriptionExisted;
        }

        try
        {
            await services.Subscriptions.RemoveAsync(removed);
            return MqttUnsubscribeReasonCode.Success;
        }
        catch (Exception exception)
        {
            ConnectionLog.SubscribeFailed(services.Logger, connection.ClientId, filter, exception);
            return MqttUnsubscribeReasonCode.ImplementationSpecificError;
        }
    }

    /// <summary>Puts a resumed session's stored subscriptions in place, routes included.</summary>
    public async Task RestoreAsync(IEnumerable<SessionSubscription> stored)
    {
        foreach (var one in stored)
        {
            var subscription = Create(one.Filter, one.MaximumQoS, one.NoLocal, one.RetainAsPublished, one.SubscriptionIdentifier);
            lock (_byFilter)
            {
                _byFilter[one.Filter] = subscription;
            }

            await services.Subscriptions.AddAsync(subscription);
        }
    }

    /// <summary>Every subscription, as a session stores it (shared ones by their whole <c>$share/...</c> filter).</summary>
    public SessionSubscription[] Describe()
    {
        lock (_byFilter)
        {
            return [.. _byFilter.Values.Select(s => new SessionSubscription
            {
                Filter = s.Route,
                MaximumQoS = s.MaximumQoS,
                NoLocal = s.NoLocal,
                RetainAsPublished = s.RetainAsPublished,
                SubscriptionIdentifier = s.SubscriptionIdentifier,
            })];
        }
    }

    /// <summary>The filters of the subscriptions that are not shared.</summary>
    public string[] PlainFilters()
    {
        lock (_byFilter)
        {
            return [.. _byFilter.Values.Where(s => s.SharedGroupRoute is null).Select(s => s.Filter)];
        }
    }

    /// <summary>Removes every subscription and its route (the connection is gone).</summary>
    public async Task RemoveAllAsync()
    {
        Subscription[] all;
        lock (_byFilter)
        {
            all = [.. _byFilter.Values];
            _byFilter.Clear();
        }

        foreach (var subscription in all)
        {
            try
            {
                await services.Subscriptions.RemoveAsync(subscription);
            }
            catch (Exception exception)
            {
                ConnectionLog.SubscribeFailed(services.Logger, connection.ClientId, subscription.Filter, exception);
            }
        }
    }

    private Subscription Create(string filter, byte qos, bool noLocal, bool retainAsPublished, uint subscriptionIdentifier)
    {
        var isShared = TopicFilter.TryParseShared(filter, out _, out var inner);
        return new Subscription(connection, isShared ? inner : filter, isShared ? filter : null)
        {
            MaximumQoS = qos,
            NoLocal = noLocal,
            RetainAsPublished = retainAsPublished,
            SubscriptionIdentifier = subscriptionIdentifier,
        };
    }
}
