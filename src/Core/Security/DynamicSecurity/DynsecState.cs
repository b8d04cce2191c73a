namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// Everything the dynamic-security plugin knows: clients, groups, roles, default access and the anonymous group.
/// Mutable, changed only by <see cref="DynsecCommandProcessor"/>; readers get an immutable
/// <see cref="DynsecEvaluator"/> built from it.
/// </summary>
public sealed class DynsecState
{
    public SortedDictionary<string, DynsecClient> Clients { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, DynsecGroup> Groups { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, DynsecRole> Roles { get; } = new(StringComparer.Ordinal);

    public DynsecDefaultAccess DefaultAccess { get; set; } = DynsecDefaultAccess.Mosquitto;

    /// <summary>The group whose roles apply to clients that connect without a username.</summary>
    public string? AnonymousGroup { get; set; }

    /// <summary>The clients in <paramref name="group"/>, with the priority each gave it.</summary>
    public IEnumerable<(DynsecClient Client, int Priority)> MembersOf(string group) =>
        Clients.Values.SelectMany(c => c.Groups.Where(g => g.Name == group).Select(g => (c, g.Priority)));

    /// <summary>A deep copy, so a failed command batch can be thrown away.</summary>
    public DynsecState Clone() => DynsecDocument.Parse(DynsecDocument.Write(this));
}
