namespace MqttCluster.Core.Security;

/// <summary>
/// Applies an <see cref="AclFile"/> as Mosquitto 2 does (<c>acl_file</c> in <c>man 5 mosquitto.conf</c>): with an
/// ACL file configured, whatever no rule grants is refused; a client with a username gets its <c>user</c> section
/// (not the anonymous rules) plus the patterns, one without a username the anonymous rules plus the patterns;
/// a matching <c>deny</c> wins over every grant; a topic starting with '$' is only reached by rules written with
/// a leading '$' (so <c>topic read #</c> never grants <c>$SYS</c>). Topics are matched by
/// <see cref="Topics.TopicFilter.Matches"/>. Immutable and thread-safe; reload by building a new one.
/// </summary>
public sealed class AclEvaluator(AclFile file)
{
    public AclFile File { get; } = file ?? throw new ArgumentNullException(nameof(file));

    /// <summary>
    /// The rules for one client, substituted once. <paramref name="username"/> is null for an anonymous client;
    /// <paramref name="clientId"/> is the client id in use (the one the broker assigned, if it assigned one).
    /// </summary>
    public ClientAcl ForClient(string? username, string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        var topicRules = File.TopicRulesFor(username)
            .Select(r => new ClientAclRule(r.Filter, r.Access, r.Line, r.Filter.StartsWith('$'), MatchesEverything: false));
        var patternRules = File.Patterns
            .Select(p => PatternSubstitution.Apply(p, username, clientId))
            .OfType<ClientAclRule>();
        return new ClientAcl(topicRules.Concat(patternRules));
    }

    /// <inheritdoc cref="ClientAcl.CanPublish"/>
    public AclDecision CanPublish(string? username, string clientId, string topic) =>
        ForClient(username, clientId).CanPublish(topic);

    /// <inheritdoc cref="ClientAcl.CanSubscribe"/>
    public bool CanSubscribe(string? username, string clientId, string filter) =>
        ForClient(username, clientId).CanSubscribe(filter);

    /// <inheritdoc cref="ClientAcl.CanReceive"/>
    public bool CanReceive(string? username, string clientId, string topic) =>
        ForClient(username, clientId).CanReceive(topic).IsAllowed;
}
