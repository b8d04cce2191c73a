namespace MqttCluster.Core.Telemetry;

/// <summary>What one <c>$SYS</c> tree (the cluster's or one node's) says at one moment.</summary>
public sealed record SysValues
{
    public required TimeSpan Uptime { get; init; }

    public required long ClientsConnected { get; init; }

    /// <summary>The most clients connected at once that this publisher has seen.</summary>
    public required long ClientsMaximum { get; init; }

    public required BrokerTotals Totals { get; init; }

    public required long Subscriptions { get; init; }

    public required SysLoad Load { get; init; }

    /// <summary>Only the cluster-wide tree knows these.</summary>
    public long? RetainedMessages { get; init; }

    public int? Gateways { get; init; }

    public int? Silos { get; init; }
}
