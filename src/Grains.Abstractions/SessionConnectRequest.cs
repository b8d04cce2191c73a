namespace MqttCluster.Grains;

/// <summary>A CONNECT as the session grain needs it.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.SessionConnectRequest")]
public sealed record SessionConnectRequest
{
    [Id(0)] public required string GatewayId { get; init; }

    [Id(1)] public required IGatewayObserver Gateway { get; init; }

    /// <summary>Clean session (3.1.1) / clean start (5.0): discard any existing session.</summary>
    [Id(2)] public bool CleanStart { get; init; }

    /// <summary>Seconds the session outlives the connection; 0 ends it with the connection.</summary>
    [Id(3)] public uint SessionExpiryInterval { get; init; }

    [Id(4)] public BrokerMessage? Will { get; init; }

    [Id(5)] public uint WillDelayInterval { get; init; }

    /// <summary>The will's message expiry interval: counted from when the will is published, not from CONNECT.</summary>
    [Id(6)] public uint WillMessageExpiryInterval { get; init; }
}
