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

    /// <summary>How long a refused login waits before its CONNACK, so guessing passwords is slow.</summary>
    public TimeSpan FailedLoginDelay { get; set; } = TimeSpan.FromSeconds(1);
}
