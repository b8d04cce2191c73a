using System.Collections.Concurrent;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>
/// The username each client id of this gateway logged in with (null = anonymous), recorded when a login is
/// accepted, so a dynamic-security change can find the connections of a username and a command can name who sent
/// it. Entries of client ids that are no longer connected are pruned after a while.
/// </summary>
public sealed class LoginNames(TimeProvider timeProvider)
{
    private static readonly TimeSpan KeepUnconnected = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (string? Username, long At)> _logins = new(StringComparer.Ordinal);

    public void Accepted(string clientId, string? username) =>
        _logins[clientId] = (username, timeProvider.GetTimestamp());

    public bool TryGet(string clientId, out string? username)
    {
        var found = _logins.TryGetValue(clientId, out var login);
        username = login.Username;
        return found;
    }

    /// <summary>Forgets client ids that are not connected and logged in more than a minute ago.</summary>
    public void Prune(IReadOnlySet<string> connected)
    {
        var now = timeProvider.GetTimestamp();
        foreach (var (clientId, login) in _logins)
        {
            if (!connected.Contains(clientId) && timeProvider.GetElapsedTime(login.At, now) > KeepUnconnected)
            {
                _logins.TryRemove(clientId, out _);
            }
        }
    }
}
