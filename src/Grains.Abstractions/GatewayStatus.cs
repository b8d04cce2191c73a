namespace MqttCluster.Grains;

/// <summary>A gateway's latest report, when it came, and its rates since the report before.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.GatewayStatus")]
public sealed record GatewayStatus(
    [property: Id(0)] NodeReport Report,
    [property: Id(1)] DateTimeOffset LastSeen,
    [property: Id(2)] double ReceivedPerSecond,
    [property: Id(3)] double SentPerSecond,
    [property: Id(4)] double DroppedPerSecond);
