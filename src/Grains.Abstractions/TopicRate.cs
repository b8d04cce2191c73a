namespace MqttCluster.Grains;

/// <summary>Messages per second received on one topic, over the gateways' last reports.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.TopicRate")]
public sealed record TopicRate([property: Id(0)] string Topic, [property: Id(1)] double PerSecond);
