using MqttCluster.Core.Delivery;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// What an ending connection gives back: the hand-back to its session grain (the messages the client has not
/// acknowledged, the QoS 2 packet ids it sent, whether the resume reached it) and, apart from it, the messages of
/// shared subscriptions, which go to another member of their group, not back to this session [MQTT-4.8.2-6].
/// </summary>
internal sealed class SessionHandback(GatewayServices services, string clientId)
{
    private List<(string GroupRoute, BrokerMessage Message)>? _sharedToRedeliver;

    /// <summary>The hand-back of what the delivery held when it closed (called once, under its lock).</summary>
    public SessionHandoff Collect(
        DisconnectKind kind,
        uint? sessionExpiryInterval,
        List<InflightEntry<PendingDelivery>> inflight,
        List<PendingDelivery> pending,
        bool resumeApplied,
        ushort[] inboundQos2)
    {
        var keptInflight = new List<OutboundMessage>();
        var keptPending = new List<OutboundMessage>();
        foreach (var entry in inflight)
        {
            if (!KeepForRedelivery(entry.Delivery))
            {
                keptInflight.Add(entry.Delivery.ToOutboundMessage(entry.PacketId, entry.Released));
            }
        }

        foreach (var delivery in pending)
        {
            if (!KeepForRedelivery(delivery) && delivery.QualityOfService > 0)
            {
                keptPending.Add(delivery.ToOutboundMessage());
            }
        }

        return new SessionHandoff
        {
            Kind = kind,
            SessionExpiryInterval = sessionExpiryInterval,
            Inflight = [.. keptInflight],
            Pending = [.. keptPending],
            InboundQos2 = inboundQos2,
            ResumeApplied = resumeApplied,
        };
    }

    /// <summary>Shared-subscription messages this client left unacknowledged go to another member: here if the
    /// group has one, else through the topic grain to a member on another gateway.</summary>
    public async Task RedeliverSharedAsync()
    {
        if (_sharedToRedeliver is null)
        {
            return;
        }

        foreach (var group in _sharedToRedeliver.GroupBy(m => (m.GroupRoute, m.Message.Topic)))
        {
            try
            {
                // Retried only when the call certainly did not run: a repeat would give the group a second copy.
                await Cluster.TransientClusterFailure.RetryAsync(() => services.Cluster.PublishSharedAsync(group.Key.GroupRoute, group.Key.Topic, [.. group.Select(m => m.Message)]));
            }
            catch (Exception exception)
            {
                // The explicit limit: the retries are spent; the messages are counted lost.
                ConnectionLog.PublishFailed(services.Logger, clientId, group.Key.Topic, group.Count(), exception);
                services.Metrics.MessagesDropped(DropReasons.HandOffFailed, group.Count());
            }
        }
    }

    private bool KeepForRedelivery(PendingDelivery delivery)
    {
        if (delivery.SharedGroupRoute is null)
        {
            return false;
        }

        if (delivery.QualityOfService > 0)
        {
            (_sharedToRedeliver ??= []).Add((delivery.SharedGroupRoute, delivery.Message));
        }

        return true;
    }
}
