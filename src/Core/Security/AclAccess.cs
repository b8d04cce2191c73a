namespace MqttCluster.Core.Security;

/// <summary>The access word of an ACL line: <c>topic [read|write|readwrite|deny] filter</c>.</summary>
public enum AclAccess
{
    /// <summary>
    /// <c>deny</c>: the topics are refused even when another line grants them. Any matching deny wins, as
    /// <c>man 5 mosquitto.conf</c> documents.
    /// </summary>
    Deny,

    /// <summary><c>read</c>: messages on the topics are delivered to the client.</summary>
    Read,

    /// <summary><c>write</c>: the client may publish to the topics.</summary>
    Write,

    /// <summary><c>readwrite</c>, also what a line without an access word means.</summary>
    ReadWrite,
}
