namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>A named set of ACLs, given to clients and groups.</summary>
public sealed class DynsecRole(string name)
{
    public string Name { get; } = name;

    public string? TextName { get; set; }

    public string? TextDescription { get; set; }

    /// <summary>In the order they were added; evaluation orders them by priority.</summary>
    public List<DynsecAcl> Acls { get; } = [];
}
