namespace MqttCluster.Gateway.Security;

/// <summary>Decides what connected clients may publish, subscribe to and receive.</summary>
public interface IClientAuthorizer
{
    /// <summary>False when every client may do everything, so the hot path can skip the checks.</summary>
    bool IsActive { get; }

    /// <summary>Changes whenever the rules are reloaded; a connection re-reads its permissions then.</summary>
    long Version { get; }

    /// <summary>The permissions of one client under the current rules (computed once, used per message).</summary>
    IClientPermissions For(string? username, string clientId);
}
