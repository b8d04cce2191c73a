using System.Text;

namespace MqttCluster.Core.Security;

/// <summary>
/// An ACL file in Mosquitto's format (<c>acl_file</c> in <c>man 5 mosquitto.conf</c>): <c>topic</c> lines before
/// any <c>user</c> line are the anonymous clients' rules, <c>user NAME</c> starts that user's section, and
/// <c>pattern</c> lines apply to every client wherever they appear. <see cref="AclEvaluator"/> applies it.
/// </summary>
public sealed class AclFile
{
    internal AclFile(
        string source,
        IReadOnlyList<AclRule> anonymousRules,
        IReadOnlyDictionary<string, IReadOnlyList<AclRule>> userRules,
        IReadOnlyList<AclRule> patterns,
        IReadOnlyList<SecurityFileDiagnostic> warnings)
    {
        Source = source;
        AnonymousRules = anonymousRules;
        UserRules = userRules;
        Patterns = patterns;
        Warnings = warnings;
    }

    /// <summary>The file name given to <see cref="Load"/> or <see cref="Parse"/>; rule lines refer to it.</summary>
    public string Source { get; }

    /// <summary>The <c>topic</c> lines before the first <c>user</c> line: they apply to clients without a username only.</summary>
    public IReadOnlyList<AclRule> AnonymousRules { get; }

    /// <summary>
    /// Each user's <c>topic</c> lines; several sections for one name are merged. Usernames are compared exactly,
    /// and a user without a section gets the patterns only.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<AclRule>> UserRules { get; }

    /// <summary>The <c>pattern</c> lines, for every client, anonymous or not.</summary>
    public IReadOnlyList<AclRule> Patterns { get; }

    /// <summary>Lines that were read but are probably not what was meant, or that Mosquitto itself would refuse.</summary>
    public IReadOnlyList<SecurityFileDiagnostic> Warnings { get; }

    /// <summary>Reads the file at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    public static AclFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>
    /// Reads ACL text. Throws <see cref="SecurityFileException"/> listing every bad line (<paramref name="source"/>
    /// names the file in it): Mosquitto refuses to start on those too, and a broker must not run with half an ACL.
    /// </summary>
    public static AclFile Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return AclFileParser.Parse(text, source);
    }

    /// <summary>The <c>topic</c> rules of a client: its user's section, or the anonymous one when it has no username.</summary>
    public IReadOnlyList<AclRule> TopicRulesFor(string? username) =>
        username is null ? AnonymousRules : UserRules.GetValueOrDefault(username) ?? [];
}
