namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>A role held by a client or group, or a group a client is in, with its priority (higher is checked
/// first; the plugin's default is -1).</summary>
public sealed record DynsecMembership(string Name, int Priority = DynsecMembership.DefaultPriority)
{
    public const int DefaultPriority = -1;
}
