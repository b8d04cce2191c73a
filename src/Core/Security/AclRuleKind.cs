namespace MqttCluster.Core.Security;

/// <summary>Which keyword an ACL line starts with.</summary>
public enum AclRuleKind
{
    /// <summary><c>topic</c>: a literal filter for the anonymous section or the current <c>user</c> section.</summary>
    Topic,

    /// <summary><c>pattern</c>: applies to every client, with <c>%c</c> and <c>%u</c> replaced by its client id and username.</summary>
    Pattern,
}
