namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>What the dynamic-security clients say about a login.</summary>
public enum DynsecLogin
{
    /// <summary>No such client: another source (a password file) may decide, as the plugin defers.</summary>
    UnknownClient,
    Accepted,

    /// <summary>Wrong password, disabled, no password set, or a client id other than the one the client is bound to.</summary>
    Refused,
}
