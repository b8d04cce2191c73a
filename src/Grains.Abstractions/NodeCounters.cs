namespace MqttCluster.Grains;

/// <summary>Running totals of a node (its <c>BrokerMetrics.Totals</c>), or their sum over the cluster.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.NodeCounters")]
public sealed record NodeCounters(
    [property: Id(0)] long ConnectionsAccepted,
    [property: Id(1)] long ConnectionsRefused,
    [property: Id(2)] long MessagesReceived,
    [property: Id(3)] long MessagesSent,
    [property: Id(4)] long BytesReceived,
    [property: Id(5)] long BytesSent,
    [property: Id(6)] long MessagesDropped)
{
    public static readonly NodeCounters Zero = new(0, 0, 0, 0, 0, 0, 0);

    public static NodeCounters From(Core.Telemetry.BrokerTotals totals) => new(
        totals.ConnectionsAccepted, totals.ConnectionsRefused, totals.MessagesReceived, totals.MessagesSent,
        totals.BytesReceived, totals.BytesSent, totals.MessagesDropped);

    public Core.Telemetry.BrokerTotals ToTotals() => new(
        ConnectionsAccepted, ConnectionsRefused, MessagesReceived, MessagesSent, BytesReceived, BytesSent, MessagesDropped);

    public static NodeCounters operator +(NodeCounters a, NodeCounters b) => new(
        a.ConnectionsAccepted + b.ConnectionsAccepted, a.ConnectionsRefused + b.ConnectionsRefused,
        a.MessagesReceived + b.MessagesReceived, a.MessagesSent + b.MessagesSent,
        a.BytesReceived + b.BytesReceived, a.BytesSent + b.BytesSent, a.MessagesDropped + b.MessagesDropped);

    /// <summary>What was added since <paramref name="earlier"/>; never negative.</summary>
    public NodeCounters Since(NodeCounters earlier) => new(
        Math.Max(0, ConnectionsAccepted - earlier.ConnectionsAccepted), Math.Max(0, ConnectionsRefused - earlier.ConnectionsRefused),
        Math.Max(0, MessagesReceived - earlier.MessagesReceived), Math.Max(0, MessagesSent - earlier.MessagesSent),
        Math.Max(0, BytesReceived - earlier.BytesReceived), Math.Max(0, BytesSent - earlier.BytesSent),
        Math.Max(0, MessagesDropped - earlier.MessagesDropped));
}
