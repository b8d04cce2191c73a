namespace MqttCluster.Core.Configuration;

/// <summary>
/// Reads Mosquitto's configuration file format (see <c>man 5 mosquitto.conf</c>) as Mosquitto 2 does, into a
/// <see cref="MosquittoConfig"/>. Never throws for bad input: every problem becomes a
/// <see cref="ConfigDiagnostic"/> naming file and line, and the caller refuses to start on any error.
/// </summary>
public static class MosquittoConfigParser
{
    /// <summary>Parses the file at <paramref name="path"/> and the <c>*.conf</c> files of its <c>include_dir</c> lines.</summary>
    public static MosquittoConfig Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var state = new ConfigParseState();
        if (TryRead(state, path, includeLine: null, out var text))
        {
            ReadLines(state, text, path, level: 0);
        }
        else
        {
            state.Config.FileList.Add(Path.GetFullPath(path));
        }

        return ConfigCompletion.Complete(state);
    }

    /// <summary>
    /// Parses configuration text; <paramref name="sourceName"/> names it in diagnostics, and its directory is where
    /// relative paths and <c>include_dir</c> are resolved.
    /// </summary>
    public static MosquittoConfig ParseText(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        var state = new ConfigParseState();
        ReadLines(state, text, sourceName, level: 0);
        return ConfigCompletion.Complete(state);
    }

    private static void ReadLines(ConfigParseState state, string text, string file, int level)
    {
        var fullPath = Path.GetFullPath(file);
        state.Config.FileList.Add(fullPath);
        var baseDirectory = Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
        using var reader = new StringReader(text);
        var number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            if (ParseLine(state, raw, file, number, baseDirectory) is not { } line)
            {
                continue;
            }

            var handler = OptionCatalog.Find(line.Name);
            if (handler is null && line.Name != "include_dir")
            {
                var suggestion = OptionCatalog.SuggestionFor(line.Name);
                state.Error(line, "unknown option (Mosquitto refuses unknown options too)"
                    + (suggestion is null ? "" : $"; option names are case-sensitive: did you mean '{suggestion}'?"));
            }
            else if (line.Value.Length == 0)
            {
                state.Error(line, "missing value");
            }
            else if (handler is null)
            {
                IncludeDirectory(state, line, fullPath, level);
            }
            else
            {
                handler(state, line);
            }
        }
    }

    /// <summary>Splits one line into name and value; null for blank lines and comments.</summary>
    private static ConfigLine? ParseLine(ConfigParseState state, string raw, string file, int number, string baseDirectory)
    {
        // Mosquitto's only comment syntax is '#' in the very first column [man 5 mosquitto.conf, FILE FORMAT].
        if (raw.Length == 0 || raw[0] == '#')
        {
            return null;
        }

        var trimmed = raw.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (trimmed[0] == '#')
        {
            // Mosquitto would stop with 'Unknown configuration variable "#"'; reading it as a comment is what
            // the author meant, but say so, since the file is not valid for Mosquitto.
            state.Config.DiagnosticList.Add(new ConfigDiagnostic(ConfigSeverity.Warning, file, number, "",
                "'#' starts a comment only in the first column; Mosquitto would refuse this line (read as a comment)"));
            return null;
        }

        var end = trimmed.AsSpan().IndexOfAny(' ', '\t');
        var name = end < 0 ? trimmed : trimmed[..end];
        var value = end < 0 ? "" : trimmed[end..].Trim();
        var line = new ConfigLine(file, number, name, value, baseDirectory);
        if (raw.TrimStart(' ').StartsWith('\t') || (end >= 0 && trimmed[end] == '\t'))
        {
            // Mosquitto splits words on spaces only, so it would not recognise the option name.
            state.Warning(line, "a tab separates the option name; Mosquitto only accepts spaces there and would refuse this line");
        }

        return line;
    }

    private static void IncludeDirectory(ConfigParseState state, ConfigLine line, string mainFile, int level)
    {
        if (level > 0)
        {
            state.Warning(line, "ignored: include_dir is only read from the main configuration file (as in Mosquitto)");
            return;
        }

        var directory = ConfigValues.Path(state, line, line.Value);
        if (!Directory.Exists(directory))
        {
            state.Error(line, $"cannot open the directory '{directory}'");
            return;
        }

        var files = Directory.EnumerateFileSystemEntries(directory)
            .Where(f => Path.GetFileName(f) is { Length: > 5 } name && name.EndsWith(".conf", StringComparison.Ordinal))
            .OrderBy(Path.GetFileName, IncludeFileOrder.Instance)
            .ToList();

        // Each file starts outside any listener or bridge section, and the including file's section continues
        // after it, because Mosquitto keeps the current section per file.
        var (listener, bridge) = (state.CurrentListener, state.CurrentBridge);
        foreach (var file in files)
        {
            if (string.Equals(Path.GetFullPath(file), mainFile, StringComparison.Ordinal))
            {
                state.Error(line, "the directory contains the main configuration file, which would be read twice");
                continue;
            }

            if (TryRead(state, file, line, out var text))
            {
                (state.CurrentListener, state.CurrentBridge) = (null, null);
                ReadLines(state, text, file, level + 1);
            }
        }

        (state.CurrentListener, state.CurrentBridge) = (listener, bridge);
    }

    private static bool TryRead(ConfigParseState state, string path, ConfigLine? includeLine, out string text)
    {
        text = "";
        string? problem;
        try
        {
            if (Directory.Exists(path))
            {
                problem = "is a directory, not a configuration file";
            }
            else
            {
                text = File.ReadAllText(path);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot be read: {e.Message}";
        }

        var message = $"'{path}' {problem}";
        state.Config.DiagnosticList.Add(includeLine is null
            ? new ConfigDiagnostic(ConfigSeverity.Error, path, 0, "", message)
            : new ConfigDiagnostic(ConfigSeverity.Error, includeLine.File, includeLine.Number, includeLine.Name, message));
        return false;
    }
}
