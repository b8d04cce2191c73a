namespace MqttCluster.Gateway.Security;

/// <summary>No ACL configured: every client may do everything (Mosquitto without acl_file).</summary>
public sealed class AllPermissions : IClientPermissions
{
    public static AllPermissions Instance { get; } = new();

    public bool CanPublish(string topic) => true;

    public bool CanSubscribe(string filter) => true;

    public bool CanReceive(string topic) => true;
}
