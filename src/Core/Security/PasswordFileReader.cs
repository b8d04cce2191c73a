using System.Text;

namespace MqttCluster.Core.Security;

/// <summary>
/// Reads the lines of a password file. Mosquitto 2.0 (<c>pwfile__parse</c> in <c>src/security_default.c</c>) skips
/// lines starting with <c>#</c>, splits the rest at the first <c>:</c> and trims blanks around both halves. Where
/// it skips a line (no colon, bad hash, wrong salt length), this reader reports the line, so a typo never silently
/// locks a user out; the broker skips it with a warning, as Mosquitto does, and the editing command says so.
/// </summary>
internal static class PasswordFileReader
{
    /// <summary>MQTT strings carry a two-byte length [MQTT-1.5.4], so a longer username can never log in.</summary>
    public const int MaxUsernameBytes = 65535;

    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>
    /// Reads <paramref name="text"/> into <paramref name="lines"/> and <paramref name="users"/>. With
    /// <paramref name="plainText"/>, the value after the colon is a password to hash (<c>-U</c>), not a hash.
    /// </summary>
    public static List<SecurityFileDiagnostic> Read(
        string text, string source, bool plainText, List<PasswordFileLine> lines, Dictionary<string, PasswordHash> users)
    {
        var errors = new List<SecurityFileDiagnostic>();
        var definedOn = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StringReader(text);
        var number = 0;
        while (reader.ReadLine() is { } raw)
        {
            number++;
            if (string.IsNullOrWhiteSpace(raw) || raw[0] == '#')
            {
                lines.Add(new PasswordFileLine(null, raw));
                continue;
            }

            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            var username = colon < 0 ? "" : raw[..colon].Trim(Blanks);
            var value = colon < 0 ? "" : raw[(colon + 1)..].Trim(Blanks);
            var problem = colon < 0 ? "expected 'username:password hash'"
                : CheckUsername(username) ?? (definedOn.TryGetValue(username, out var first)
                    ? $"user '{username}' is already defined on line {first}"
                    : null);
            PasswordHash? hash = null;
            problem ??= plainText ? HashPlainText(value, out hash) : ParseHash(value, out hash);
            if (problem is not null)
            {
                // Kept as written (a later save leaves it alone), but no user comes from it.
                errors.Add(new SecurityFileDiagnostic(source, number, problem));
                lines.Add(new PasswordFileLine(null, raw));
                continue;
            }

            definedOn[username] = number;
            users[username] = hash!;
            lines.Add(new PasswordFileLine(username, plainText ? $"{username}:{hash}" : raw));
        }

        return errors;
    }

    /// <summary>Null when <paramref name="username"/> can be written to and read back from a password file.</summary>
    public static string? CheckUsername(string username)
    {
        if (username.Length == 0)
        {
            return "the username is empty";
        }

        if (username.AsSpan().IndexOfAny(':', '\n', '\r') >= 0)
        {
            return "the username must not contain ':' or a line break";
        }

        if (username[0] == '#')
        {
            // Mosquitto would read the whole line as a comment and the user could never log in.
            return "the username must not start with '#'";
        }

        if (username.Trim(Blanks).Length != username.Length)
        {
            return "the username must not start or end with a blank (Mosquitto trims them)";
        }

        return Encoding.UTF8.GetByteCount(username) > MaxUsernameBytes
            ? $"the username is longer than {MaxUsernameBytes} bytes"
            : null;
    }

    private static string? ParseHash(string value, out PasswordHash? hash)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            hash = null;
            return "unexpected ':' after the password hash";
        }

        return PasswordHash.TryParse(value, out hash, out var error) ? null : error;
    }

    private static string? HashPlainText(string value, out PasswordHash? hash)
    {
        hash = null;
        if (value.Length == 0)
        {
            // Mosquitto without TLS lets such a user in with any password; refuse to guess what was meant.
            return "the password is empty";
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            // mosquitto_passwd -U would hash only the text before the second ':'.
            return "the password contains ':'; Mosquitto would use only the text before it, so set it with -b instead";
        }

        if (PasswordHash.TryParse(value, out _, out _))
        {
            // The mosquitto_passwd man page warns that -U re-hashes hashes and makes the file unusable.
            return "the password is already hashed; -U converts plain-text files only";
        }

        hash = PasswordHash.Create(PasswordHashKind.Pbkdf2Sha512, Encoding.UTF8.GetBytes(value), PasswordHash.DefaultIterations);
        return null;
    }
}
