namespace MqttCluster.Grains.Bridges;

/// <summary>A message waiting for the remote: already mapped to its remote topic, QoS and RETAIN flag.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.BridgeQueuedMessage")]
public sealed record BridgeQueuedMessage(
    [property: Id(0)] string RemoteTopic,
    [property: Id(1)] byte Qos,
    [property: Id(2)] bool Retain,
    [property: Id(3)] BrokerMessage Message);
