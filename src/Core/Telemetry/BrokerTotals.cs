namespace MqttCluster.Core.Telemetry;

/// <summary>Running totals of this process since it started.</summary>
public readonly record struct BrokerTotals(
    long ConnectionsAccepted,
    long ConnectionsRefused,
    long MessagesReceived,
    long MessagesSent,
    long BytesReceived,
    long BytesSent,
    long MessagesDropped);
