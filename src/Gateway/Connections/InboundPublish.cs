using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>A PUBLISH from the client on its way to the cluster, with what is needed to acknowledge it. A PUBLISH the
/// ACL denies goes the same way, so its acknowledgement keeps its place in order, but never reaches the cluster.</summary>
internal readonly record struct InboundPublish(BrokerMessage Message, byte QualityOfService, ushort PacketId, bool Denied = false);
