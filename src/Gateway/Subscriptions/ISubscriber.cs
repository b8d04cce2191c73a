using MqttCluster.Grains;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>A local session that holds subscriptions and accepts deliveries.</summary>
public interface ISubscriber
{
    string ClientId { get; }

    /// <summary>Queues a message for the client at <paramref name="qos"/>; never blocks. A message delivered for a
    /// shared subscription names its group, so it can go to another member if this one leaves without acking.</summary>
    void Deliver(BrokerMessage message, byte qos, bool retain, IReadOnlyList<uint>? subscriptionIdentifiers, string? sharedGroupRoute);
}
