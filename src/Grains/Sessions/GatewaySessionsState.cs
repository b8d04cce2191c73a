namespace MqttCluster.Grains.Sessions;

/// <summary>Which session epochs a gateway holds; kept in memory only (rebuilt as clients reconnect).</summary>
internal sealed class GatewaySessionsState
{
    public Dictionary<string, long> Epochs { get; } = new(StringComparer.Ordinal);
}
