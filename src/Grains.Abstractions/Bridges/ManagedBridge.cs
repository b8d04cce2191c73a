namespace MqttCluster.Grains;

/// <summary>A bridge defined at run time (REST API), as the cluster keeps it: its options and whether it should run.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ManagedBridge")]
public sealed record ManagedBridge(
    [property: Id(0)] BridgeOptions Options,
    [property: Id(1)] bool Running);
