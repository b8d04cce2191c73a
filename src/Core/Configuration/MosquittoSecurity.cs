namespace MqttCluster.Core.Configuration;

/// <summary>
/// The authentication and access-control options. They live on <see cref="MosquittoConfig.Security"/>, or on each
/// listener when <c>per_listener_settings true</c>.
/// </summary>
public sealed class MosquittoSecurity
{
    /// <summary>
    /// What <c>allow_anonymous</c> says, or null when it is absent; see
    /// <see cref="MosquittoConfig.AllowsAnonymous"/> for the value that applies.
    /// </summary>
    public bool? AllowAnonymous { get; internal set; }

    /// <summary>Absolute path of the <c>password_file</c> (mosquitto_passwd format).</summary>
    public string? PasswordFile { get; internal set; }

    /// <summary>Absolute path of the <c>acl_file</c>.</summary>
    public string? AclFile { get; internal set; }

    /// <summary>A <c>plugin</c> line loads Mosquitto's dynamic-security plugin (served natively here).</summary>
    public bool DynamicSecurity { get; internal set; }

    /// <summary>Absolute path of the plugin's <c>plugin_opt_config_file</c> (its dynamic-security.json).</summary>
    public string? DynamicSecurityFile { get; internal set; }
}
