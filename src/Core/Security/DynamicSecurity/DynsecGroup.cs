namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>A named set of clients that share roles. Its members are kept by the clients (their group lists).</summary>
public sealed class DynsecGroup(string name)
{
    public string Name { get; } = name;

    public string? TextName { get; set; }

    public string? TextDescription { get; set; }

    public List<DynsecMembership> Roles { get; } = [];
}
