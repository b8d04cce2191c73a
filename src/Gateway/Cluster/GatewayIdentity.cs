namespace MqttCluster.Gateway.Cluster;

/// <summary>The id this gateway process is known by in the route index; new for every start.</summary>
public sealed class GatewayIdentity
{
    public string GatewayId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}
