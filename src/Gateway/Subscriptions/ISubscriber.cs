using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>A local session that holds subscriptions and accepts deliveries.</summary>
public interface ISubscriber
{
    string ClientId { get; }

    /// <summary>Queues a message for the client at <paramref name="qos"/>; never blocks. A message delivered for a
    /// shared subscription names its group, so it can go to another member if this one leaves without acking.
    /// A traced message that should get a send span of its own comes with <paramref name="sendSpan"/>. Returns
    /// null when the message is queued (or dropped by a counted limit), or the hand-off of the message to the
    /// session grain when the connection has just ended: the delivery is answered once that is stored.</summary>
    Task? Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute, SendSpanParent? sendSpan = null);

    /// <summary>Whether this subscriber's QoS 1/2 queue is so long that its publishers should wait (Mqtt:SlowSubscribers).</summary>
    bool IsCongested { get; }

    /// <summary>Completes when <see cref="IsCongested"/> ended (or gave way to the queue limit, or the client left).</summary>
    Task WhenRelieved();
}
