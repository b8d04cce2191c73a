using System.Collections.Frozen;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// An immutable reading of one <see cref="DynsecState"/> version, safe to share between connections: who may log
/// in, and each client's <see cref="DynsecClientAccess"/>.
/// </summary>
public sealed class DynsecEvaluator
{
    private readonly FrozenDictionary<string, Entry> _clients;
    private readonly DynsecAcl[][] _anonymous;
    private readonly DynsecDefaultAccess _defaults;

    public DynsecEvaluator(DynsecState state)
    {
        var roles = state.Roles.ToDictionary(
            r => r.Key,
            r => r.Value.Acls.OrderByDescending(a => a.Priority).ToArray(),
            StringComparer.Ordinal);
        DynsecAcl[][] RolesOf(IEnumerable<DynsecMembership> memberships) =>
            [.. Ordered(memberships).Select(m => roles.GetValueOrDefault(m.Name)).OfType<DynsecAcl[]>()];

        var groups = state.Groups.ToDictionary(g => g.Key, g => RolesOf(g.Value.Roles), StringComparer.Ordinal);
        _clients = state.Clients.Values.ToFrozenDictionary(
            c => c.Username,
            c => new Entry(c.Password, c.ClientId, c.Disabled,
                [.. RolesOf(c.Roles), .. Ordered(c.Groups).SelectMany(g => groups.GetValueOrDefault(g.Name) ?? [])]),
            StringComparer.Ordinal);
        HasAnonymousGroup = state.AnonymousGroup is not null;
        _anonymous = state.AnonymousGroup is { } anonymous ? groups.GetValueOrDefault(anonymous) ?? [] : [];
        _defaults = state.DefaultAccess;
    }

    public static DynsecEvaluator Empty { get; } = new(new DynsecState());

    /// <summary>False when no anonymous group is set: anonymous clients then get only the default access.</summary>
    public bool HasAnonymousGroup { get; }

    public DynsecLogin Authenticate(string username, ReadOnlySpan<byte> password, string clientId)
    {
        if (!_clients.TryGetValue(username, out var client))
        {
            return DynsecLogin.UnknownClient;
        }

        if (client.Disabled || client.Password is null || (client.ClientId is { } bound && bound != clientId))
        {
            return DynsecLogin.Refused;
        }

        return client.Password.Verify(password) ? DynsecLogin.Accepted : DynsecLogin.Refused;
    }

    /// <summary>
    /// An administrator's login for the REST API: the password of an enabled client that may send dynamic-security
    /// commands (granted <c>publishClientSend</c> on <c>$CONTROL/dynamic-security/v1</c>, as mosquitto_ctrl's admin
    /// role is). A client id binding does not apply: HTTP has no client id.
    /// </summary>
    public DynsecLogin AuthenticateAdministrator(string username, ReadOnlySpan<byte> password)
    {
        if (!_clients.TryGetValue(username, out var client))
        {
            return DynsecLogin.UnknownClient;
        }

        return !client.Disabled && client.Password is { } stored && stored.Verify(password) ? DynsecLogin.Accepted : DynsecLogin.Refused;
    }

    /// <summary>May <paramref name="username"/> send dynamic-security commands?</summary>
    public bool IsAdministrator(string username) =>
        ForClient(username, username)?.CanPublish(ControlTopic) == true;

    private const string ControlTopic = "$CONTROL/dynamic-security/v1";

    /// <summary>True when <paramref name="username"/> is a client here; one logged in by certificate is checked only
    /// for being enabled.</summary>
    public bool IsKnown(string username) => _clients.ContainsKey(username);

    /// <summary>May a connection that logged in as <paramref name="username"/> stay (not deleted, not disabled)?</summary>
    public bool MayStay(string username) => _clients.TryGetValue(username, out var client) && !client.Disabled;

    /// <summary>The client's access; null for a username these rules do not know (the plugin defers).</summary>
    public DynsecClientAccess? ForClient(string? username, string clientId)
    {
        if (username is null)
        {
            return new DynsecClientAccess(_anonymous, _defaults, null, clientId);
        }

        return _clients.TryGetValue(username, out var client) ? new DynsecClientAccess(client.Roles, _defaults, username, clientId) : null;
    }

    /// <summary>Highest priority first; equal priorities by name, so every node orders them alike.</summary>
    private static IEnumerable<DynsecMembership> Ordered(IEnumerable<DynsecMembership> memberships) =>
        memberships.OrderByDescending(m => m.Priority).ThenBy(m => m.Name, StringComparer.Ordinal);

    private sealed record Entry(DynsecPassword? Password, string? ClientId, bool Disabled, DynsecAcl[][] Roles);
}
