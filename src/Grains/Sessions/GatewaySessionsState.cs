namespace MqttCluster.Grains.Sessions;

/// <summary>Which session epochs a gateway holds, and which it held a moment ago; kept in memory only (rebuilt as
/// clients reconnect).</summary>
internal sealed class GatewaySessionsState
{
    public Dictionary<string, long> Epochs { get; } = new(StringComparer.Ordinal);

    /// <summary>Sessions that left the gateway lately, with the timestamp they left at, oldest first.</summary>
    public Queue<(string ClientId, long Epoch, long LeftAt)> Departed { get; } = new();
}
