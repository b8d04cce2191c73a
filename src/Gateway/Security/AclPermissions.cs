using MqttCluster.Core.Security;

namespace MqttCluster.Gateway.Security;

/// <summary>A client's permissions from a Mosquitto ACL file, substituted for its username and client id once.</summary>
public sealed class AclPermissions(ClientAcl acl) : IClientPermissions
{
    public bool CanPublish(string topic) => acl.CanPublish(topic).IsAllowed;

    public bool CanSubscribe(string filter) => acl.CanSubscribe(filter);

    public bool CanReceive(string topic) => acl.CanReceive(topic).IsAllowed;
}
