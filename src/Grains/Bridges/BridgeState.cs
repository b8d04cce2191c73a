namespace MqttCluster.Grains.Bridges;

/// <summary>
/// What a bridge keeps in storage: its options (so an activation started by a delivery can connect before any
/// silo asks it to), its QoS 1/2 messages not yet acknowledged by the remote, oldest first (with their packet
/// identifiers at the remote), and the identifiers of QoS 2 messages received from the remote whose PUBREL has not
/// come yet (so a PUBLISH the remote sends again with them is not published here twice).
/// </summary>
[GenerateSerializer, Alias("mqtt.BridgeState")]
public sealed class BridgeState
{
    [Id(0)] public BridgeOptions? Options { get; set; }

    [Id(1)] public List<BridgeQueuedMessage> Queue { get; set; } = [];

    [Id(2)] public List<ushort> IncomingAwaitingRelease { get; set; } = [];
}
