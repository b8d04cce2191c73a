namespace MqttCluster.Grains;

/// <summary>What a gateway tells the cluster stats grain about itself, every few seconds.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.NodeReport")]
public sealed record NodeReport
{
    /// <summary>The node's name in <c>$SYS/broker/nodes/{node}</c>.</summary>
    [Id(0)] public required string Node { get; init; }

    /// <summary>The gateway's cluster id (new for every start of the process).</summary>
    [Id(1)] public required string GatewayId { get; init; }

    [Id(2)] public required string HostName { get; init; }

    [Id(3)] public DateTimeOffset StartedAt { get; init; }

    [Id(4)] public int Connections { get; init; }

    [Id(5)] public int Subscriptions { get; init; }

    /// <summary>The node's running totals since it started.</summary>
    [Id(6)] public required NodeCounters Counters { get; init; }

    /// <summary>The busiest topics by messages received since the previous report.</summary>
    [Id(7)] public TopicCount[] TopTopics { get; init; } = [];

    /// <summary>Seconds since the previous report: the window of <see cref="TopTopics"/>.</summary>
    [Id(8)] public double IntervalSeconds { get; init; }

    /// <summary>Some of the connected clients (bounded, see <see cref="ClientSampleSize"/>).</summary>
    [Id(9)] public ConnectedClient[] Clients { get; init; } = [];

    public const int ClientSampleSize = 100;
}
