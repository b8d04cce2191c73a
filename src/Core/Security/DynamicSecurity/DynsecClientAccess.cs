using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// What one connected client may do under the dynamic-security rules, worked out once per rules version. Its
/// roles come first (highest priority first), then each of its groups' roles (groups by priority); inside a role
/// ACLs go by priority. The first ACL of the asked type that matches decides; none matching leaves the default
/// access. For (un)subscribe a role's literal ACLs are checked before its patterns, as the plugin does.
/// </summary>
public sealed class DynsecClientAccess
{
    private readonly ClientAcl[][] _roles;
    private readonly DynsecDefaultAccess _defaults;

    internal DynsecClientAccess(DynsecAcl[][] roles, DynsecDefaultAccess defaults, string? username, string clientId)
    {
        // %c/%u are replaced and the filters checked once here, not for every message.
        _roles = [.. roles.Select(acls => acls.Select(acl => ClientAcl.For(acl, username, clientId)).ToArray())];
        _defaults = defaults;
    }

    public bool CanPublish(string topic) =>
        Decide(DynsecAclTypes.PublishClientSend, null, topic, literal: false) ?? _defaults.PublishClientSend;

    public bool CanReceive(string topic) =>
        Decide(DynsecAclTypes.PublishClientReceive, null, topic, literal: false) ?? _defaults.PublishClientReceive;

    public bool CanSubscribe(string filter) =>
        Decide(DynsecAclTypes.SubscribeLiteral, DynsecAclTypes.SubscribePattern, Unshared(filter), literal: true) ?? _defaults.Subscribe;

    public bool CanUnsubscribe(string filter) =>
        Decide(DynsecAclTypes.UnsubscribeLiteral, DynsecAclTypes.UnsubscribePattern, Unshared(filter), literal: true) ?? _defaults.Unsubscribe;

    /// <summary>A shared subscription is judged by the filter it shares, as for the ACL file.</summary>
    private static string Unshared(string filter) =>
        TopicFilter.TryParseShared(filter, out _, out var inner) ? inner : filter;

    private bool? Decide(string firstType, string? patternType, string subject, bool literal)
    {
        foreach (var acls in _roles)
        {
            if (literal)
            {
                foreach (var acl in acls)
                {
                    if (acl.Type == firstType && string.Equals(acl.Topic, subject, StringComparison.Ordinal))
                    {
                        return acl.Allow;
                    }
                }

                foreach (var acl in acls)
                {
                    if (acl.Type == patternType && acl.Filter is { } pattern && FilterRelation.Covers(pattern, subject))
                    {
                        return acl.Allow;
                    }
                }

                continue;
            }

            foreach (var acl in acls)
            {
                if (acl.Type == firstType && acl.Filter is { } filter && TopicFilter.Matches(filter, subject))
                {
                    return acl.Allow;
                }
            }
        }

        return null;
    }

    /// <summary>An ACL as it applies to this client: its filter after %c/%u, or null when it can match nothing.</summary>
    private sealed record ClientAcl(string Type, string Topic, string? Filter, bool Allow)
    {
        public static ClientAcl For(DynsecAcl acl, string? username, string clientId)
        {
            var filter = DynsecTopicPattern.For(acl.Topic, username, clientId);
            return new ClientAcl(acl.AclType, acl.Topic, filter is not null && TopicFilter.IsValid(filter) ? filter : null, acl.Allow);
        }
    }
}
