namespace MqttCluster.Grains;

/// <summary>A subscription of a persistent session as its session grain keeps it (filter may be <c>$share/...</c>).</summary>
[GenerateSerializer, Immutable, Alias("mqtt.SessionSubscription")]
public sealed record SessionSubscription
{
    [Id(0)] public required string Filter { get; init; }

    [Id(1)] public byte MaximumQoS { get; init; }

    [Id(2)] public bool NoLocal { get; init; }

    [Id(3)] public bool RetainAsPublished { get; init; }

    [Id(4)] public uint SubscriptionIdentifier { get; init; }
}
