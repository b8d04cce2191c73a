namespace MqttCluster.Grains;

/// <summary>A persistent session as last written to storage. While its client is connected the queue lives on the
/// client's gateway (see <see cref="ConnectionSummary"/>); the subscriptions are kept in step here.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.StoredSession")]
public sealed record StoredSession
{
    [Id(0)] public SessionSubscription[] Subscriptions { get; init; } = [];

    /// <summary>Messages queued for the client while it is offline.</summary>
    [Id(1)] public int QueuedMessages { get; init; }

    /// <summary>QoS 1/2 messages sent to its last connection and not acknowledged, to be sent again on resume.</summary>
    [Id(2)] public int InflightMessages { get; init; }

    /// <summary>Seconds the session outlives its connection.</summary>
    [Id(3)] public uint SessionExpiryInterval { get; init; }

    /// <summary>Set while no connection holds the session.</summary>
    [Id(4)] public DateTimeOffset? DisconnectedAt { get; init; }

    [Id(5)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether a will waits to be published (its delay, or the session's end).</summary>
    [Id(6)] public bool HasWill { get; init; }
}
