using System.Text.RegularExpressions;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// The rules of a .dockerignore file: a path is left out of the build context when the last pattern matching
/// it (or one of its parent folders) is not negated. Patterns as Docker reads them: '*' within a path segment,
/// '**' across segments, '!' re-includes, leading and trailing '/' ignored.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Include)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Parse(string text) =>
        new(text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (ToRegex(l.TrimStart('!').Trim('/')), l.StartsWith('!')))
            .ToList());

    public bool IsInContext(string relativePath)
    {
        var segments = relativePath.Trim('/').Split('/');
        var prefixes = Enumerable.Range(1, segments.Length).Select(n => string.Join('/', segments.Take(n))).ToList();
        var included = true;
        foreach (var (pattern, include) in _rules)
        {
            if (prefixes.Any(pattern.IsMatch))
            {
                included = include;
            }
        }

        return included;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = Regex.Escape(pattern)
            .Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{regex}$", RegexOptions.CultureInvariant);
    }
}
