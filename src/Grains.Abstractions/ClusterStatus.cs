namespace MqttCluster.Grains;

/// <summary>The cluster at a glance, for the status page (served as JSON by <c>/api/status</c>).</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ClusterStatus")]
public sealed record ClusterStatus
{
    [Id(0)] public DateTimeOffset Now { get; init; }

    [Id(1)] public GatewayStatus[] Gateways { get; init; } = [];

    [Id(2)] public ClusterSilo[] Silos { get; init; } = [];

    /// <summary>Oldest first, one sample per <see cref="SampleSeconds"/>.</summary>
    [Id(3)] public RateSample[] History { get; init; } = [];

    [Id(4)] public double SampleSeconds { get; init; }

    /// <summary>Totals since the stats grain started counting (it adds each gateway's growth).</summary>
    [Id(5)] public NodeCounters Totals { get; init; } = NodeCounters.Zero;

    [Id(6)] public int Connections { get; init; }

    [Id(7)] public int MaxConnections { get; init; }

    [Id(8)] public int Subscriptions { get; init; }

    /// <summary>Null until the retained index was counted.</summary>
    [Id(9)] public long? RetainedMessages { get; init; }

    [Id(10)] public TopicRate[] TopTopics { get; init; } = [];

    /// <summary>The configured and the managed (REST API) bridges, as each reported itself at the last sample.</summary>
    [Id(11)] public BridgeStatus[] Bridges { get; init; } = [];
}
