namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// <c>%c</c> and <c>%u</c> in an ACL topic, replaced for one client as the plugin does: only a whole level is
/// replaced, and a client id or username that is empty or holds '/', '+' or '#' makes the ACL match nothing
/// (it could otherwise reach other clients' levels or become a wildcard).
/// </summary>
internal static class DynsecTopicPattern
{
    /// <summary>The ACL topic for this client, or null when it cannot apply to it.</summary>
    public static string? For(string aclTopic, string? username, string clientId)
    {
        if (!aclTopic.Contains('%', StringComparison.Ordinal))
        {
            return aclTopic;
        }

        var levels = aclTopic.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var value = levels[i] switch
            {
                "%c" => clientId,
                "%u" => username ?? string.Empty,
                _ => null,
            };
            if (value is null)
            {
                continue;
            }

            if (value.Length == 0 || value.AsSpan().IndexOfAny('/', '+', '#') >= 0)
            {
                return null;
            }

            levels[i] = value;
        }

        return string.Join('/', levels);
    }
}
