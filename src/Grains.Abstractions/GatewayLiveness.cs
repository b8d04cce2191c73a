namespace MqttCluster.Grains;

/// <summary>How often gateways refresh their registration, and how long silence means a gateway is dead.</summary>
public static class GatewayLiveness
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(7);
}
