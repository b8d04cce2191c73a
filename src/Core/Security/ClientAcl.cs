using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security;

/// <summary>
/// The ACL as it applies to one connected client: its section's rules and the patterns, substituted once. Build one
/// per connection with <see cref="AclEvaluator.ForClient"/> for the per-message checks, and again after a reload.
/// </summary>
public sealed class ClientAcl
{
    private readonly ClientAclRule[] _denies;
    private readonly ClientAclRule[] _grants;

    internal ClientAcl(IEnumerable<ClientAclRule> rules)
    {
        var all = rules.ToArray();
        _denies = [.. all.Where(r => r.Access == AclAccess.Deny)];
        _grants = [.. all.Where(r => r.Access != AclAccess.Deny)];
    }

    /// <summary>May the client publish to <paramref name="topic"/> (a valid topic name)?</summary>
    public AclDecision CanPublish(string topic) => Check(topic, AclAccess.Write);

    /// <summary>
    /// May a message on <paramref name="topic"/> be delivered to the client? Checked for every message a wildcard
    /// subscription matches, as Mosquitto checks read access per delivered message (retained ones included). For a
    /// subscription without wildcards the answer is the SUBSCRIBE's, until the ACL is reloaded.
    /// </summary>
    public AclDecision CanReceive(string topic) => Check(topic, AclAccess.Read);

    /// <summary>
    /// May the client subscribe to <paramref name="filter"/> (a valid filter, <c>$share/name/</c> allowed)? True
    /// when at least one topic the filter matches may be read. Mosquitto 2's <c>acl_file</c> grants every
    /// SUBSCRIBE and only filters deliveries, so a subscription to a wider filter than the ACL grants (<c>a/#</c>
    /// when only <c>a/b</c> is readable) is granted here as well and delivers <c>a/b</c> only (see
    /// <see cref="CanReceive"/>). The one difference is a subscription that could never deliver anything (no read
    /// grant overlaps it, or a deny covers all of it): Mosquitto grants it and stays silent, here the client is
    /// told with SUBACK 0x87/0x80, which is what it needs to see its mistake.
    /// </summary>
    public bool CanSubscribe(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (TopicFilter.TryParseShared(filter, out _, out var inner))
        {
            filter = inner;
        }

        foreach (var deny in _denies)
        {
            if (deny.MatchesEverything
                || ((deny.MatchesReserved || !StartsReserved(filter)) && FilterRelation.Covers(deny.Filter, filter)))
            {
                return false;
            }
        }

        foreach (var grant in _grants)
        {
            if (Grants(grant, AclAccess.Read)
                && (grant.MatchesReserved || !StartsReserved(filter))
                && FilterRelation.Overlap(grant.Filter, filter))
            {
                return true;
            }
        }

        return false;
    }

    private AclDecision Check(string topic, AclAccess wanted)
    {
        ArgumentNullException.ThrowIfNull(topic);

        // Every deny first: "Any deny topics are handled before topics that grant" (man 5 mosquitto.conf).
        foreach (var deny in _denies)
        {
            if (Matches(deny, topic))
            {
                return new AclDecision(AclOutcome.Denied, deny.Line);
            }
        }

        foreach (var grant in _grants)
        {
            if (Grants(grant, wanted) && Matches(grant, topic))
            {
                return new AclDecision(AclOutcome.Allowed, grant.Line);
            }
        }

        return AclDecision.NotGranted;
    }

    private static bool Matches(ClientAclRule rule, string topic) =>
        rule.MatchesEverything || ((rule.MatchesReserved || !StartsReserved(topic)) && TopicFilter.Matches(rule.Filter, topic));

    private static bool Grants(ClientAclRule rule, AclAccess wanted) =>
        rule.Access == wanted || rule.Access == AclAccess.ReadWrite;

    /// <summary>A topic, or a filter whose first level is a literal, starting with '$' (<c>$SYS</c>).</summary>
    private static bool StartsReserved(string topicOrFilter) => topicOrFilter.StartsWith('$');
}
