namespace MqttCluster.Core.Security;

/// <summary>How an ACL check ended.</summary>
public enum AclOutcome
{
    /// <summary>A rule grants the access and no deny rule matches.</summary>
    Allowed,

    /// <summary>A <c>deny</c> rule matches: it wins over every grant.</summary>
    Denied,

    /// <summary>No rule grants the access: with an ACL file, what is not granted is refused.</summary>
    NotGranted,
}
