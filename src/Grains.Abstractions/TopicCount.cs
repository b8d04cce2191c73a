namespace MqttCluster.Grains;

/// <summary>Messages received on one topic in an interval.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.TopicCount")]
public sealed record TopicCount([property: Id(0)] string Topic, [property: Id(1)] long Messages);
