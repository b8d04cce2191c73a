using System.Text;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security;

/// <summary>
/// Replaces <c>%c</c> and <c>%u</c> in a <c>pattern</c> line for one client. A client chooses its own client id,
/// and with some setups its username, so a value must not be able to widen what the pattern grants.
/// </summary>
internal static class PatternSubstitution
{
    /// <summary>
    /// The rule as it applies to the client, or null when it does not apply. Mosquitto substitutes the text
    /// blindly: with <c>pattern read devices/%c/#</c> the client id <c>a/b</c> reads <c>devices/a/b/#</c>, which is
    /// client <c>a</c>'s subtree, and <c>+</c> or <c>#</c> become wildcards; Mosquitto 2 refuses every pattern to a
    /// client whose id or username contains '+' or '#', but not '/'. Here a grant whose value is empty or contains
    /// '/', '+' or '#' does not apply. A deny is substituted as Mosquitto does, because a wider deny only refuses
    /// more, and denies everything when the result is not a valid filter.
    /// </summary>
    public static ClientAclRule? Apply(AclRule pattern, string? username, string clientId)
    {
        var template = pattern.Filter;
        var usesClientId = template.Contains("%c", StringComparison.Ordinal);
        var usesUsername = template.Contains("%u", StringComparison.Ordinal);
        if (usesUsername && username is null)
        {
            // Mosquitto skips %u patterns for anonymous clients, grants and denies alike.
            return null;
        }

        var deny = pattern.Access == AclAccess.Deny;
        if (!deny && ((usesClientId && !IsSafe(clientId)) || (usesUsername && !IsSafe(username!))))
        {
            return null;
        }

        var filter = Substitute(template, username, clientId);
        var matchesReserved = template.StartsWith('$');
        var invalid = deny && !TopicFilter.IsValid(filter);
        return new ClientAclRule(filter, pattern.Access, pattern.Line, matchesReserved, MatchesEverything: invalid);
    }

    /// <summary>
    /// Empty would make <c>%u/#</c> read <c>/#</c>, every topic starting with '/'; '/' reaches other clients'
    /// levels; '+' and '#' become wildcards.
    /// </summary>
    private static bool IsSafe(string value) =>
        value.Length > 0 && value.AsSpan().IndexOfAny('/', '+', '#') < 0;

    private static string Substitute(string template, string? username, string clientId)
    {
        var result = new StringBuilder(template.Length + clientId.Length);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '%' && i + 1 < template.Length && template[i + 1] is 'c' or 'u')
            {
                _ = result.Append(template[i + 1] == 'c' ? clientId : username);
                i++;
                continue;
            }

            _ = result.Append(template[i]);
        }

        return result.ToString();
    }
}
