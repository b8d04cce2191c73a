using System.Text.RegularExpressions;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>A unit file read the way systemd reads the parts the checks need: sections, keys (repeatable),
/// command lines split into words, and Environment= assignments.</summary>
internal sealed partial class SystemdUnit
{
    private readonly List<(string Section, string Key, string Value)> _entries;

    private SystemdUnit(string name, List<(string, string, string)> entries)
    {
        Name = name;
        _entries = entries;
    }

    public string Name { get; }

    public static SystemdUnit Load(string relativePath)
    {
        var entries = new List<(string, string, string)>();
        var section = "";
        foreach (var raw in Repository.Read(relativePath).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line.Trim('[', ']');
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        return new SystemdUnit(Path.GetFileName(relativePath), entries);
    }

    public IEnumerable<string> Values(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value);

    public string? Value(string section, string key) => Values(section, key).LastOrDefault();

    /// <summary>ExecStart=, ExecStartPre=, ... as words, without systemd's prefixes (-, @, +, !, :).</summary>
    public IEnumerable<IReadOnlyList<string>> Commands =>
        _entries.Where(e => e.Section == "Service" && e.Key.StartsWith("Exec", StringComparison.Ordinal))
            .Select(e => Words(e.Value.TrimStart('-', '@', '+', '!', ':')));

    /// <summary>NAME=value pairs of every Environment= line.</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment =>
        Values("Service", "Environment").SelectMany(Words).Select(Assignment);

    public static KeyValuePair<string, string> Assignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return new(word[..equals], word[(equals + 1)..]);
    }

    /// <summary>Splits like systemd: whitespace-separated words, single or double quotes group.</summary>
    public static IReadOnlyList<string> Words(string line) =>
        WordPattern().Matches(line).Select(m => m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["s"].Success ? m.Groups["s"].Value : m.Value).ToList();

    [GeneratedRegex("""'(?<s>[^']*)'|"(?<q>[^"]*)"|\S+""")]
    private static partial Regex WordPattern();
}
