using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security;

/// <summary>
/// Reads ACL lines as Mosquitto 2.0 does (<c>aclfile__parse</c> in <c>src/security_default.c</c>, checked against
/// the 2.0.11 binary): trailing blanks removed, <c>#</c> in the first column starts a comment, words separated by
/// spaces, the filter is the rest of the line (so it may contain spaces), and any line Mosquitto refuses to start
/// with is an error here too. Stricter: <c>topic read</c> without a filter is an error, where Mosquitto reads it
/// as read-write access to a topic called "read".
/// </summary>
internal static class AclFileParser
{
    private static readonly char[] Blanks = [' ', '\t'];

    public static AclFile Parse(string text, string source)
    {
        var errors = new List<SecurityFileDiagnostic>();
        var warnings = new List<SecurityFileDiagnostic>();
        var anonymous = new List<AclRule>();
        var users = new Dictionary<string, List<AclRule>>(StringComparer.Ordinal);
        var patterns = new List<AclRule>();
        List<AclRule> section = anonymous;

        using var reader = new StringReader(text);
        var number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            var line = raw.TrimEnd();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            void Error(string message) => errors.Add(new SecurityFileDiagnostic(source, number, message));
            void Warn(string message) => warnings.Add(new SecurityFileDiagnostic(source, number, message));

            var content = line.TrimStart(Blanks);
            if (content[0] == '#')
            {
                Warn("Mosquitto only reads '#' in the first column as a comment and refuses this line; read as a comment");
                continue;
            }

            var sawTab = line.AsSpan(0, line.Length - content.Length).Contains('\t');
            var keyword = FirstWord(content, out var rest, ref sawTab);

            switch (keyword)
            {
                case "user":
                    var name = rest.Trim(Blanks);
                    if (name.Length == 0)
                    {
                        Error("missing username after 'user'");
                        break;
                    }

                    section = users.TryGetValue(name, out var existing) ? existing : users[name] = [];
                    break;
                case "topic" or "pattern":
                    var kind = keyword == "topic" ? AclRuleKind.Topic : AclRuleKind.Pattern;
                    if (ReadRule(kind, rest, number, ref sawTab, out var problem, Warn) is { } rule)
                    {
                        (kind == AclRuleKind.Topic ? section : patterns).Add(rule);
                    }
                    else
                    {
                        Error(problem);
                    }

                    break;
                default:
                    var hint = keyword.ToLowerInvariant() is "topic" or "pattern" or "user"
                        ? $"; keywords are case-sensitive: did you mean '{keyword.ToLowerInvariant()}'?"
                        : "";
                    Error($"unknown keyword '{keyword}': expected 'topic', 'pattern' or 'user'{hint}");
                    break;
            }

            if (sawTab)
            {
                Warn("Mosquitto separates words with spaces only and refuses this line; read with tabs as spaces");
            }
        }

        if (errors.Count > 0)
        {
            throw new SecurityFileException(errors);
        }

        var userRules = users.ToDictionary(u => u.Key, u => (IReadOnlyList<AclRule>)u.Value, StringComparer.Ordinal);
        return new AclFile(source, anonymous, userRules, patterns, warnings);
    }

    /// <summary><c>[read|write|readwrite|deny] filter</c>, the part after <c>topic</c> or <c>pattern</c>.</summary>
    private static AclRule? ReadRule(AclRuleKind kind, string rest, int number, ref bool sawTab, out string problem, Action<string> warn)
    {
        var first = FirstWord(rest, out var afterFirst, ref sawTab);
        var filter = afterFirst.Trim(Blanks);
        var access = ParseAccess(first);
        if (first.Length == 0)
        {
            problem = "missing topic filter";
            return null;
        }

        if (filter.Length == 0)
        {
            if (access is not null)
            {
                problem = $"missing topic filter after '{first}'";
                return null;
            }

            // Mosquitto: a single word is the filter, with read and write access.
            (filter, access) = (first, AclAccess.ReadWrite);
        }
        else if (access is null)
        {
            problem = $"unknown access '{first}': expected read, write, readwrite or deny";
            return null;
        }

        var validation = TopicFilter.Validate(filter);
        if (validation != TopicValidationError.None)
        {
            problem = $"invalid topic filter '{filter}' ({validation})";
            return null;
        }

        var substitutes = filter.Contains("%c", StringComparison.Ordinal) || filter.Contains("%u", StringComparison.Ordinal);
        if (kind == AclRuleKind.Pattern && !substitutes)
        {
            warn("pattern without %c or %u: it applies to every client alike (Mosquitto warns too)");
        }
        else if (kind == AclRuleKind.Topic && substitutes)
        {
            warn("'topic' lines do not replace %c and %u, only 'pattern' lines do");
        }

        problem = "";
        return new AclRule(kind, access.Value, filter, number);
    }

    private static AclAccess? ParseAccess(string word) => word switch
    {
        "read" => AclAccess.Read,
        "write" => AclAccess.Write,
        "readwrite" => AclAccess.ReadWrite,
        "deny" => AclAccess.Deny,
        _ => null,
    };

    /// <summary>
    /// The text up to the first blank; <paramref name="rest"/> is what follows, leading blanks removed.
    /// <paramref name="sawTab"/> becomes true when a tab separated the word from the rest.
    /// </summary>
    private static string FirstWord(string text, out string rest, ref bool sawTab)
    {
        var end = text.IndexOfAny(Blanks);
        if (end < 0)
        {
            rest = "";
            return text;
        }

        rest = text[end..].TrimStart(Blanks);
        sawTab |= text.AsSpan(end, text.Length - end - rest.Length).Contains('\t');
        return text[..end];
    }
}
