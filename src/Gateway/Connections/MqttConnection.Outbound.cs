using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>Deliveries to this connection as a subscriber; what goes out when is <see cref="OutboundPublishes"/>'s.</summary>
public sealed partial class MqttConnection
{
    /// <inheritdoc />
    public Task? Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute, SendSpanParent? sendSpan = null)
    {
        if (_outbound.Offer(new PendingDelivery(message, qos, retain, subscriptionIdentifiers, sharedGroupRoute, sendSpan), DeliveryOrigin.Live))
        {
            return null;
        }

        // The session was handed back (or taken over by a newer connection) and this connection is still in the
        // gateway's subscriptions for a moment: the session grain passes it on, and the delivery is answered once it
        // has. Both flags are set before the hand-back closed the delivery, and never cleared.
        return (Volatile.Read(ref _queueingAtSession) || (Volatile.Read(ref _takenOver) && _client.IsPersistent)) && qos > 0 && sharedGroupRoute is null
            ? HandToSessionAsync(message)
            : null;
    }

    /// <summary>
    /// Messages of this session that a failed delivery, to this connection or to the client's previous one, did not
    /// bring (see <see cref="Grains.IGatewayObserver.DeliverRescuedAsync"/>); those this connection already has are
    /// skipped by the session's ledger. False when this connection no longer serves the session.
    /// </summary>
    internal bool DeliverRescued(OutboundMessage[] messages) => _outbound.OfferRescued(messages);
}
