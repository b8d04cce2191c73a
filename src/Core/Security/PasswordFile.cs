using System.Text;

namespace MqttCluster.Core.Security;

/// <summary>
/// A password file in Mosquitto's format (<c>password_file</c> in <c>man 5 mosquitto.conf</c>, written by
/// <c>mosquitto_passwd</c>): one <c>username:$7$...</c> or <c>username:$6$...</c> line per user, <c>#</c> comments.
/// A file made by <c>mosquitto_passwd</c> works unchanged, and one saved here is read by Mosquitto.
/// </summary>
/// <remarks>
/// <see cref="Verify"/> may be called from many threads at once. The mutators are for the command that edits the
/// file; a broker reloads by loading a new instance and swapping the reference.
/// </remarks>
public sealed class PasswordFile
{
    private readonly List<PasswordFileLine> _lines;
    private readonly Dictionary<string, PasswordHash> _users;
    private PasswordHash _decoy;

    /// <summary>An empty file, as <c>mosquitto_passwd -c</c> starts from.</summary>
    public PasswordFile()
        : this([], new Dictionary<string, PasswordHash>(StringComparer.Ordinal))
    {
    }

    private PasswordFile(List<PasswordFileLine> lines, Dictionary<string, PasswordHash> users, IReadOnlyList<SecurityFileDiagnostic>? warnings = null)
    {
        _lines = lines;
        _users = users;
        Warnings = warnings ?? [];
        _decoy = ChooseDecoy();
    }

    /// <summary>Lines that were skipped (malformed, or a user defined twice), each naming its file and line.</summary>
    public IReadOnlyList<SecurityFileDiagnostic> Warnings { get; }

    /// <summary>The users, in file order.</summary>
    public IEnumerable<string> Usernames => _lines.Where(l => l.Username is not null).Select(l => l.Username!);

    public int Count => _users.Count;

    /// <summary>Reads the file at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    public static PasswordFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>
    /// Reads password-file text. A malformed line is skipped and listed in <see cref="Warnings"/>
    /// (<paramref name="source"/> names the file), as Mosquitto skips it with a warning; it stays in the text.
    /// </summary>
    public static PasswordFile Parse(string text, string source) => Read(text, source, plainText: false);

    /// <summary>
    /// Hashes a plain-text <c>username:password</c> file, as <c>mosquitto_passwd -U</c> does. Unlike it, refuses
    /// lines that are already hashed instead of hashing the hash.
    /// </summary>
    public static PasswordFile ConvertPlainText(string text, string source) => Read(text, source, plainText: true);

    /// <summary>
    /// The <c>$7$</c> value <c>mosquitto_passwd</c> would write for <paramref name="password"/> (UTF-8), with a
    /// fresh random salt. 101 iterations is Mosquitto 2.0's fixed count.
    /// </summary>
    public static string Hash(string password, int iterations = PasswordHash.DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        return PasswordHash.Create(PasswordHashKind.Pbkdf2Sha512, Encoding.UTF8.GetBytes(password), iterations).ToString();
    }

    /// <summary>The <c>$6$</c> value of Mosquitto 1.x (<c>mosquitto_passwd -H sha512</c>), for brokers older than 2.0.</summary>
    public static string HashSha512(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return PasswordHash.Create(PasswordHashKind.Sha512, Encoding.UTF8.GetBytes(password), 1).ToString();
    }

    public bool Contains(string username) => _users.ContainsKey(username);

    /// <summary>
    /// True when <paramref name="username"/> is in the file and <paramref name="password"/> (the CONNECT packet's
    /// password bytes) hashes to its entry; an empty password never does. Compares in constant time, and an unknown user costs the same hashing
    /// as a known one. A CONNECT with a username but no password flag should be refused before this is called, as
    /// Mosquitto does. Unlike Mosquitto, which treats the password as a C string, bytes after a NUL count.
    /// </summary>
    public bool Verify(string username, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (password.IsEmpty)
        {
            // An empty or absent password never logs in, even where the stored hash is of the empty password
            // (mosquitto_passwd -b FILE USER ""): Mosquitto refuses both too. Costs the same as a check.
            _ = _decoy.Matches(password);
            return false;
        }

        if (_users.TryGetValue(username, out var hash))
        {
            return hash.Matches(password);
        }

        _ = _decoy.Matches(password);
        return false;
    }

    /// <summary>Adds <paramref name="username"/> or replaces its password, as <c>mosquitto_passwd -b</c> does.</summary>
    public void Upsert(string username, string password, PasswordHashKind kind = PasswordHashKind.Pbkdf2Sha512)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        if (PasswordFileReader.CheckUsername(username) is { } problem)
        {
            throw new ArgumentException(problem, nameof(username));
        }

        var hash = PasswordHash.Create(kind, Encoding.UTF8.GetBytes(password), PasswordHash.DefaultIterations);
        var line = new PasswordFileLine(username, $"{username}:{hash}");
        var index = _lines.FindIndex(l => l.Username == username);
        if (index < 0)
        {
            _lines.Add(line);
        }
        else
        {
            _lines[index] = line;
        }

        _users[username] = hash;
        _decoy = ChooseDecoy();
    }

    /// <summary>Removes <paramref name="username"/>; false when it was not in the file.</summary>
    public bool Remove(string username)
    {
        if (!_users.Remove(username))
        {
            return false;
        }

        _ = _lines.RemoveAll(l => l.Username == username);
        _decoy = ChooseDecoy();
        return true;
    }

    /// <summary>The file's text: untouched lines as they were read, new and changed entries in Mosquitto's format.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var line in _lines)
        {
            _ = text.Append(line.Text).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the file so that a reader sees the old or the new version, never half of one, with mode 0600 where
    /// the file system has Unix modes. The file is replaced, so it ends up owned by the user running this.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, ToText());

    private static PasswordFile Read(string text, string source, bool plainText)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(source);
        var lines = new List<PasswordFileLine>();
        var users = new Dictionary<string, PasswordHash>(StringComparer.Ordinal);
        var problems = PasswordFileReader.Read(text, source, plainText, lines, users);

        // Converting plain text (-U) writes the file anew: a line it cannot convert must stop it, not vanish.
        return plainText && problems.Count > 0 ? throw new SecurityFileException(problems) : new PasswordFile(lines, users, problems);
    }

    /// <summary>The decoy costs what most entries cost, so an unknown user looks like the typical known one.</summary>
    private PasswordHash ChooseDecoy()
    {
        var typical = _users.Values
            .GroupBy(h => (h.Kind, h.Iterations))
            .OrderByDescending(g => g.Count())
            .Select(g => g.Key)
            .DefaultIfEmpty((Kind: PasswordHashKind.Pbkdf2Sha512, Iterations: PasswordHash.DefaultIterations))
            .First();
        return PasswordHash.Decoy(typical.Kind, typical.Iterations);
    }
}
