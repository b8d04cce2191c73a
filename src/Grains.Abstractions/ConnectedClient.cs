namespace MqttCluster.Grains;

/// <summary>A client connected to a gateway, as the status page lists it.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ConnectedClient")]
public sealed record ConnectedClient([property: Id(0)] string ClientId, [property: Id(1)] string Endpoint, [property: Id(2)] string Protocol);
