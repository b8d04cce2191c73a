namespace MqttCluster.Gateway.Security;

/// <summary>Who may connect and what they may do (Mosquitto's allow_anonymous / password_file / acl_file).
/// Bound from the <c>Security</c> section.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Accept clients without a username. Unset: only while every listener is bound to loopback, as
    /// Mosquitto 2 does.</summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>A password file in Mosquitto's format (mosquitto_passwd, or mqtt-cluster-passwd).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>An ACL file in Mosquitto's format; without one every client may publish and subscribe to anything.</summary>
    public string? AclFile { get; set; }

    /// <summary>Mosquitto's dynamic-security plugin, cluster-wide: users, groups and roles kept in the cluster's
    /// storage and managed with <c>mosquitto_ctrl dynsec</c> on <c>$CONTROL/dynamic-security/v1</c>. On when a
    /// <see cref="DynamicSecurityFile"/> is set, too.</summary>
    public bool DynamicSecurity { get; set; }

    /// <summary>A Mosquitto <c>dynamic-security.json</c> (<c>plugin_opt_config_file</c>) imported on the first start,
    /// when the cluster has no dynamic-security state yet; later changes live in the cluster, not in this file.</summary>
    public string? DynamicSecurityFile { get; set; }

    public bool DynamicSecurityEnabled => DynamicSecurity || DynamicSecurityFile is not null;

    /// <summary>How long a refused login waits before its CONNACK, so guessing passwords is slow.</summary>
    public TimeSpan FailedLoginDelay { get; set; } = TimeSpan.FromSeconds(1);
}
