using MqttCluster.Gateway.Security;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// What one logged-in client may publish and receive: its ACL permissions, worked out once and again after every
/// reload of the rules, so a reloaded ACL applies to live connections at once. Read from any thread.
/// </summary>
internal sealed class ClientAccess(IClientAuthorizer authorizer, string? username, string clientId)
{
    // One reference, swapped whole: deliveries read it from other threads.
    private Snapshot? _current;

    /// <summary>Before CONNECT is accepted: nobody logged in.</summary>
    public static ClientAccess Anonymous(IClientAuthorizer authorizer) => new(authorizer, null, string.Empty);

    /// <summary>The username the client logged in with (null = anonymous).</summary>
    public string? Username => username;

    /// <summary>The client's permissions when an ACL is in force, else null.</summary>
    public IClientPermissions? IfActive => authorizer.IsActive ? Permissions : null;

    public bool CanPublish(string topic) => !authorizer.IsActive || Permissions.CanPublish(topic);

    public bool CanReceive(string topic) => !authorizer.IsActive || Permissions.CanReceive(topic);

    private IClientPermissions Permissions
    {
        get
        {
            var version = authorizer.Version;
            var current = Volatile.Read(ref _current);
            if (current is null || current.Version != version)
            {
                current = new Snapshot(version, authorizer.For(username, clientId));
                Volatile.Write(ref _current, current);
            }

            return current.Permissions;
        }
    }

    /// <summary>The permissions under one version of the ACL.</summary>
    private sealed record Snapshot(long Version, IClientPermissions Permissions);
}
