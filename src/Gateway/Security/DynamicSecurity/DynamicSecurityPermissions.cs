using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>A client's permissions under the dynamic-security rules.</summary>
public sealed class DynamicSecurityPermissions(DynsecClientAccess access) : IClientPermissions
{
    public bool CanPublish(string topic) => access.CanPublish(topic);

    public bool CanSubscribe(string filter) => access.CanSubscribe(filter);

    public bool CanReceive(string topic) => access.CanReceive(topic);

    public bool CanUnsubscribe(string filter) => access.CanUnsubscribe(filter);
}
