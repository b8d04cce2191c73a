using MQTTnet.Packets;

namespace MqttCluster.Grains.Bridges;

/// <summary>What a bridge's connection loop calls back into its grain for.</summary>
/// <param name="ReceivedAsync">A message from the remote; awaited before it is acknowledged to the remote.</param>
/// <param name="StateChangedAsync">The connection came up (true) or went down (false).</param>
/// <param name="Acknowledged">The remote acknowledged a QoS 1/2 message, which left the outbox.</param>
/// <param name="StoreAsync">Stores the queue and the client session now (before a packet that depends on it goes out).</param>
internal sealed record BridgeConnectionHooks(
    Func<MqttPublishPacket, Task> ReceivedAsync,
    Func<bool, Task> StateChangedAsync,
    Action Acknowledged,
    Func<Task> StoreAsync);
