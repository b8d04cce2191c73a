namespace MqttCluster.Grains;

/// <summary>What a resumed session's new connection must send before live traffic, in this order.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.SessionResume")]
public sealed record SessionResume
{
    /// <summary>Nothing to send: the resume of a new session.</summary>
    public static SessionResume None { get; } = new();

    /// <summary>Unacknowledged messages of the previous connection: resent with DUP (or PUBREL) and their ids.</summary>
    [Id(0)] public OutboundMessage[] Inflight { get; init; } = [];

    /// <summary>Messages queued while the session was offline, oldest first.</summary>
    [Id(1)] public OutboundMessage[] Queued { get; init; } = [];

    [Id(2)] public ushort[] InboundQos2 { get; init; } = [];
}
