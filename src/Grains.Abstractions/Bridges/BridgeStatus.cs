namespace MqttCluster.Grains;

/// <summary>What a bridge reports about itself (status page, tests).</summary>
[GenerateSerializer, Immutable, Alias("mqtt.BridgeStatus")]
public sealed record BridgeStatus
{
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public bool Connected { get; init; }

    /// <summary>The remote address in use, or last tried.</summary>
    [Id(2)] public string? Address { get; init; }

    /// <summary>Messages waiting for the remote (QoS 1/2 ones are in storage).</summary>
    [Id(3)] public int Queued { get; init; }

    /// <summary>Since this activation: messages sent to the remote, received from it, and dropped.</summary>
    [Id(4)] public long Sent { get; init; }

    [Id(5)] public long Received { get; init; }

    [Id(6)] public long Dropped { get; init; }

    /// <summary>The silo the bridge runs in.</summary>
    [Id(7)] public string? Silo { get; init; }

    /// <summary>False for a bridge that was stopped or removed (its stored queue waits).</summary>
    [Id(8)] public bool Running { get; init; }
}
