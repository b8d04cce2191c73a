using System.Globalization;

namespace MqttCluster.Core.Configuration;

/// <summary>Typed reading of option values. Each Try method reports its own error and returns false.</summary>
internal static class ConfigValues
{
    /// <summary>
    /// The first word of the value. Mosquitto reads only that word for numbers, booleans and keywords and drops the
    /// rest silently; we warn, unless the rest is a <c>#</c> comment.
    /// </summary>
    public static string Word(ConfigParseState state, ConfigLine line)
    {
        var tokens = line.Tokens;
        if (tokens.Length > 1 && !tokens[1].StartsWith('#'))
        {
            state.Warning(line, $"only '{tokens[0]}' is used; the rest of the line ('{string.Join(' ', tokens[1..])}') is ignored");
        }

        return tokens[0];
    }

    /// <summary>
    /// A whole number. Mosquitto uses C's atoi, which turns "abc" into 0 (making e.g. max_queued_messages
    /// unlimited) and "10k" into 10; we refuse anything but an optionally signed decimal number.
    /// </summary>
    public static bool TryInteger(ConfigParseState state, ConfigLine line, out long value)
    {
        var word = Word(state, line);
        if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && value is >= int.MinValue and <= int.MaxValue)
        {
            return true;
        }

        state.Error(line, $"'{word}' is not a whole number");
        return false;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], the range Mosquitto enforces.</summary>
    public static bool TryInteger(ConfigParseState state, ConfigLine line, long min, long max, out long value)
    {
        if (!TryInteger(state, line, out value))
        {
            return false;
        }

        if (value < min || value > max)
        {
            state.Error(line, $"{value} is out of range: it must be between {min} and {max}");
            return false;
        }

        return true;
    }

    /// <summary>Mosquitto's booleans: exactly <c>true</c>/<c>false</c> or <c>1</c>/<c>0</c>, case-sensitive.</summary>
    public static bool TryBoolean(ConfigParseState state, ConfigLine line, out bool value)
    {
        var word = Word(state, line);
        switch (word)
        {
            case "true" or "1":
                value = true;
                return true;
            case "false" or "0":
                value = false;
                return true;
            default:
                state.Error(line, $"'{word}' is not a boolean: use true or false");
                value = false;
                return false;
        }
    }

    /// <summary>
    /// <c>persistent_client_expiration</c>'s syntax: a positive whole number and one of h, d, w, m (30 days),
    /// y (365 days). Mosquitto reads "1.5d" as one day; we refuse fractions.
    /// </summary>
    public static bool TryDuration(ConfigParseState state, ConfigLine line, out TimeSpan value)
    {
        var word = Word(state, line);
        value = TimeSpan.Zero;
        var unit = word.Length > 1 ? word[^1] : ' ';
        var hours = unit switch
        {
            'h' => 1,
            'd' => 24,
            'w' => 24 * 7,
            'm' => 24 * 30,
            'y' => 24 * 365,
            _ => 0,
        };
        if (hours == 0
            || !long.TryParse(word.AsSpan(0, word.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count == 0
            || count > TimeSpan.MaxValue.TotalHours / hours)
        {
            state.Error(line, $"'{word}' is not a duration: write a positive whole number followed by h, d, w, m or y (e.g. 14d)");
            return false;
        }

        value = TimeSpan.FromHours(count * hours);
        return true;
    }

    /// <summary>
    /// A path, taken from the whole rest of the line as Mosquitto does (so spaces are allowed, and a trailing
    /// "# comment" would become part of the name). Relative paths are resolved against the directory of the file
    /// that contains the line, where Mosquitto uses its working directory: a service's working directory is
    /// usually "/", which makes relative paths in Mosquitto configurations fragile anyway.
    /// </summary>
    public static string Path(ConfigParseState state, ConfigLine line, string value)
    {
        if (value.Contains(" #", StringComparison.Ordinal))
        {
            state.Warning(line, $"the value '{value}' contains '#': mosquitto.conf has no end-of-line comments, so it is part of the path");
        }

        return System.IO.Path.GetFullPath(value, line.BaseDirectory);
    }

    /// <summary>A directory path without a trailing separator (except for the root).</summary>
    public static string Directory(ConfigParseState state, ConfigLine line) =>
        System.IO.Path.TrimEndingDirectorySeparator(Path(state, line, line.Value));
}
