namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>A client neither the dynamic-security rules nor an ACL file speak for may do nothing (the plugin
/// defers, and with nothing left to ask Mosquitto denies).</summary>
public sealed class NoPermissions : IClientPermissions
{
    public static NoPermissions Instance { get; } = new();

    public bool CanPublish(string topic) => false;

    public bool CanSubscribe(string filter) => false;

    public bool CanReceive(string topic) => false;

    public bool CanUnsubscribe(string filter) => false;
}
