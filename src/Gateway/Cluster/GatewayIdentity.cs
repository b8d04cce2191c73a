using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>The id this gateway process is known by in the cluster (new for every start) and its delivery endpoint.</summary>
public sealed class GatewayIdentity
{
    public string GatewayId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Set once the gateway registered with the cluster, before it accepts clients.</summary>
    public IGatewayObserver? Reference { get; set; }
}
