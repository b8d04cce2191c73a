using Orleans.Concurrency;

namespace MqttCluster.Grains;

/// <summary>
/// The sessions currently connected through one gateway (keyed by gateway id), so that when the gateway
/// disappears without saying goodbye, its sessions go offline: they start queueing and their wills go out.
/// </summary>
[Alias("mqtt.IGatewaySessionsGrain")]
public interface IGatewaySessionsGrain : IGrainWithStringKey
{
    // Add/Remove never wait on anything, so they may run while GatewayLostAsync waits on session grains
    // (which may themselves be waiting to add a session here).
    [Alias("Add"), AlwaysInterleave]
    Task AddAsync(string clientId, long epoch);

    [Alias("Remove"), AlwaysInterleave]
    Task RemoveAsync(string clientId, long epoch);

    /// <summary>A topic grain could not deliver QoS 1/2 messages to this gateway (<paramref name="batch"/>: the
    /// delivery, which the gateway may have taken even so): every session it holds, held lately, or held when it was
    /// declared dead gets those it subscribed to.</summary>
    [Alias("Rescue"), AlwaysInterleave]
    Task RescueAsync(BrokerMessage[] messages, DeliveryBatch batch);

    /// <summary>
    /// True until the gateway has told this activation which sessions it holds: the grain keeps them in memory, so
    /// after its silo restarted it starts empty, and a failed delivery to the gateway would reach none of them.
    /// </summary>
    [Alias("NeedsRestore"), AlwaysInterleave]
    Task<bool> NeedsRestoreAsync();

    /// <summary>The sessions (client id → epoch) the gateway holds; entries this grain learnt since are kept.</summary>
    [Alias("Restore"), AlwaysInterleave]
    Task RestoreAsync(Dictionary<string, long> sessions);

    /// <summary>The route index declared the gateway dead: every session it held is told so.</summary>
    [Alias("GatewayLost")]
    Task GatewayLostAsync();
}
