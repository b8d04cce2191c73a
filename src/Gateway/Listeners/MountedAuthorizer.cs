using MqttCluster.Gateway.Security;
using MqttCluster.Gateway.Transport;

namespace MqttCluster.Gateway.Listeners;

/// <summary>
/// The ACL of a listener with a mount point: the rules see the topics as the client wrote them, without the mount
/// point, as Mosquitto checks them (an ACL line <c>topic write sensors/#</c> allows <c>sensors/t</c> there).
/// </summary>
internal sealed class MountedAuthorizer(IClientAuthorizer inner, TopicMount mount) : IClientAuthorizer
{
    public bool IsActive => inner.IsActive;

    public long Version => inner.Version;

    public IClientPermissions For(string? username, string clientId) => new Permissions(inner.For(username, clientId), mount);

    private sealed class Permissions(IClientPermissions inner, TopicMount mount) : IClientPermissions
    {
        public bool CanPublish(string topic) => inner.CanPublish(mount.Outbound(topic));

        public bool CanSubscribe(string filter) => inner.CanSubscribe(mount.OutboundFilter(filter));

        public bool CanReceive(string topic) => inner.CanReceive(mount.Outbound(topic));

        public bool CanUnsubscribe(string filter) => inner.CanUnsubscribe(mount.OutboundFilter(filter));
    }
}
