namespace MqttCluster.Grains;

/// <summary>
/// A message on its way to one session: waiting in its queue (<see cref="PacketId"/> 0) or sent and not yet
/// acknowledged (resent on resume with DUP and the same packet id [MQTT-4.4.0-1]).
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.OutboundMessage")]
public sealed record OutboundMessage
{
    [Id(0)] public required BrokerMessage Message { get; init; }

    [Id(1)] public byte QualityOfService { get; init; }

    [Id(2)] public bool Retain { get; init; }

    [Id(3)] public uint[]? SubscriptionIdentifiers { get; init; }

    [Id(4)] public ushort PacketId { get; init; }

    /// <summary>QoS 2 only: PUBREC received, so on resume the broker resends PUBREL, not the PUBLISH.</summary>
    [Id(5)] public bool Released { get; init; }
}
