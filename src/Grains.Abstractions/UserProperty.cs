namespace MqttCluster.Grains;

/// <summary>An MQTT 5 user property (name/value pair), kept in publish order.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.UserProperty")]
public sealed record UserProperty([property: Id(0)] string Name, [property: Id(1)] string Value);
