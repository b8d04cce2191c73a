using System.Collections.Concurrent;

namespace MqttCluster.Grains;

/// <summary>
/// The gateways this process serves besides its silo (the single node, a silo that co-hosts a gateway). Topic
/// grains of the same process hand them deliveries by a direct call instead of an Orleans message to their observer
/// reference: no message, no thread hop, no response message. A gateway in another process (or one that has
/// unregistered itself while stopping) is still reached through its reference.
/// </summary>
public sealed class ColocatedGateways
{
    private readonly ConcurrentDictionary<string, IGatewayObserver> _gateways = new(StringComparer.Ordinal);

    public void Add(string gatewayId, IGatewayObserver gateway) => _gateways[gatewayId] = gateway;

    public void Remove(string gatewayId) => _gateways.TryRemove(gatewayId, out _);

    /// <summary>The gateway object itself when it lives in this process, else null.</summary>
    public IGatewayObserver? Find(string gatewayId) => _gateways.GetValueOrDefault(gatewayId);
}
