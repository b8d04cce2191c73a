using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>A PUBLISH from the client on its way to the cluster, with what is needed to acknowledge it.</summary>
internal readonly record struct InboundPublish(BrokerMessage Message, byte QualityOfService, ushort PacketId);
