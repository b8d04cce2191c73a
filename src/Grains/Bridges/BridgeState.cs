namespace MqttCluster.Grains.Bridges;

/// <summary>
/// What a bridge keeps in storage: its options (so an activation started by a delivery can connect before any
/// silo asks it to) and its QoS 1/2 messages not yet acknowledged by the remote, oldest first.
/// </summary>
[GenerateSerializer, Alias("mqtt.BridgeState")]
public sealed class BridgeState
{
    [Id(0)] public BridgeOptions? Options { get; set; }

    [Id(1)] public List<BridgeQueuedMessage> Queue { get; set; } = [];
}
