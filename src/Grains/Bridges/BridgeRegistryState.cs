namespace MqttCluster.Grains.Bridges;

/// <summary>What <see cref="BridgeRegistryGrain"/> keeps in storage: the managed bridges by name.</summary>
[GenerateSerializer, Alias("mqtt.BridgeRegistryState")]
public sealed class BridgeRegistryState
{
    [Id(0)] public Dictionary<string, ManagedBridge> Bridges { get; set; } = new(StringComparer.Ordinal);
}
