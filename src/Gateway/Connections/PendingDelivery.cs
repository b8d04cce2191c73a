using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>A QoS 1/2 delivery waiting for room in the client's in-flight window.</summary>
internal readonly record struct PendingDelivery(BrokerMessage Message, byte QualityOfService, bool Retain, IReadOnlyList<uint>? SubscriptionIdentifiers);
