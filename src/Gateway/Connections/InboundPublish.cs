using System.Diagnostics;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>A PUBLISH from the client on its way to the cluster, with what is needed to acknowledge it. A PUBLISH the
/// ACL denies goes the same way, so its acknowledgement keeps its place in order, but never reaches the cluster.</summary>
/// <param name="Span">The receive span, ended when the PUBLISH is acknowledged.</param>
/// <param name="TooLarge">Denied for its payload size (Mqtt:MessageSizeLimit) rather than by the ACL.</param>
/// <summary>How the cluster answered a forwarded PUBLISH.</summary>
internal enum InboundPublishOutcome
{
    Accepted,
    AcceptedWithoutSubscribers,
    Failed,
}

internal readonly record struct InboundPublish(BrokerMessage Message, byte QualityOfService, ushort PacketId, bool Denied = false, Activity? Span = null, bool TooLarge = false);
