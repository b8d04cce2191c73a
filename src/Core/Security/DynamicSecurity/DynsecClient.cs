namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>A dynamic-security client: a username that may log in, optionally only with one client id.</summary>
public sealed class DynsecClient(string username)
{
    public string Username { get; } = username;

    /// <summary>When set, the client may connect only with this client id.</summary>
    public string? ClientId { get; set; }

    public string? TextName { get; set; }

    public string? TextDescription { get; set; }

    /// <summary>Null: no password, the client cannot log in with one.</summary>
    public DynsecPassword? Password { get; set; }

    public bool Disabled { get; set; }

    public List<DynsecMembership> Roles { get; } = [];

    public List<DynsecMembership> Groups { get; } = [];
}
