namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>Who must reconnect after a batch of commands, because what they may do changed: clients by username,
/// and the anonymous clients.</summary>
internal sealed class DynsecKicks
{
    public HashSet<string> Clients { get; } = new(StringComparer.Ordinal);

    public bool Anonymous { get; set; }

    public void Client(string username) => Clients.Add(username);

    /// <summary>Every client that holds <paramref name="role"/>, directly or through a group.</summary>
    public void HoldersOf(DynsecState state, string role)
    {
        foreach (var client in state.Clients.Values)
        {
            if (client.Roles.Exists(r => r.Name == role) ||
                client.Groups.Exists(g => state.Groups.TryGetValue(g.Name, out var group) && group.Roles.Exists(r => r.Name == role)))
            {
                Clients.Add(client.Username);
            }
        }

        if (state.AnonymousGroup is { } anonymous && state.Groups.TryGetValue(anonymous, out var anonymousGroup) &&
            anonymousGroup.Roles.Exists(r => r.Name == role))
        {
            Anonymous = true;
        }
    }

    /// <summary>Every member of <paramref name="group"/>, and the anonymous clients when it is their group.</summary>
    public void MembersOf(DynsecState state, string group)
    {
        foreach (var (client, _) in state.MembersOf(group))
        {
            Clients.Add(client.Username);
        }

        if (state.AnonymousGroup == group)
        {
            Anonymous = true;
        }
    }
}
