namespace MqttCluster.Grains;

/// <summary>What a connection hands back to its session grain when it ends: the unfinished QoS 1/2 state.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.SessionHandoff")]
public sealed record SessionHandoff
{
    [Id(0)] public DisconnectKind Kind { get; init; }

    /// <summary>A v5 DISCONNECT may change the session expiry interval [MQTT-3.14.2-2]; null keeps it.</summary>
    [Id(1)] public uint? SessionExpiryInterval { get; init; }

    /// <summary>Sent to the client and not acknowledged, in packet order.</summary>
    [Id(2)] public OutboundMessage[] Inflight { get; init; } = [];

    /// <summary>Waiting behind the in-flight window, in order.</summary>
    [Id(3)] public OutboundMessage[] Pending { get; init; } = [];

    /// <summary>QoS 2 packet ids received from the client and not yet released (PUBREL outstanding).</summary>
    [Id(4)] public ushort[] InboundQos2 { get; init; } = [];

    /// <summary>
    /// Whether the connection took in what ResumeAsync gave it. False when it was taken over or closed while
    /// restoring: then that state is not in this handoff, and the session grain puts it back itself.
    /// </summary>
    [Id(5)] public bool ResumeApplied { get; init; }
}
