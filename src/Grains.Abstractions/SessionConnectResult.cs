namespace MqttCluster.Grains;

/// <summary>The session grain's answer to a CONNECT.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.SessionConnectResult")]
public sealed record SessionConnectResult
{
    /// <summary>Identifies this connection's ownership of the session; later calls carry it so a connection that
    /// was taken over cannot change the session any more.</summary>
    [Id(0)] public long Epoch { get; init; }

    [Id(1)] public bool SessionPresent { get; init; }

    [Id(2)] public SessionSubscription[] Subscriptions { get; init; } = [];

    /// <summary>A new session that ends with its connection (session expiry 0, no session present): nothing is
    /// stored to resume, and the session counts as resumed already, so the connection makes no
    /// <see cref="ISessionGrain.ResumeAsync"/> call. False from a session grain that predates it (the connection then
    /// calls, which is still right).</summary>
    [Id(3)] public bool NothingToResume { get; init; }
}
