namespace MqttCluster.Grains;

/// <summary>One live connection as its gateway describes it to an administrator.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ConnectionSummary")]
public sealed record ConnectionSummary
{
    [Id(0)] public required string ClientId { get; init; }

    /// <summary>The username it logged in with; null when anonymous or not known to this gateway.</summary>
    [Id(1)] public string? Username { get; init; }

    [Id(2)] public required string Endpoint { get; init; }

    [Id(3)] public required string ProtocolVersion { get; init; }

    /// <summary>The gateway's node name, as on the status page and in <c>$SYS/broker/nodes/{node}</c>.</summary>
    [Id(4)] public required string Node { get; init; }

    /// <summary>Messages waiting for the in-flight window or the socket.</summary>
    [Id(5)] public int QueuedMessages { get; init; }

    /// <summary>QoS 1/2 messages sent and not yet acknowledged.</summary>
    [Id(6)] public int InflightMessages { get; init; }

    /// <summary>What the connection is subscribed to (a clean session's subscriptions are nowhere else).</summary>
    [Id(7)] public SessionSubscription[] Subscriptions { get; init; } = [];
}
