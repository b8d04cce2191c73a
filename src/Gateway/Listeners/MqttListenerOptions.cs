using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Security;

namespace MqttCluster.Gateway.Listeners;

/// <summary>
/// One more listener beside the <c>Mqtt</c> section's own (<c>Mqtt:Listeners:N:*</c>), with settings of its own as a
/// Mosquitto <c>listener</c> section has them. A <c>mosquitto.conf</c> puts every listener it has here.
/// </summary>
public sealed class MqttListenerOptions
{
    /// <summary>The port; 0 picks a free one, -1 leaves the listener off.</summary>
    public int Port { get; set; } = -1;

    /// <summary>IP address, <c>*</c> (every address) or <c>localhost</c>; unset means <c>Mqtt:BindAddress</c>.</summary>
    public string? BindAddress { get; set; }

    /// <summary>MQTT on the socket, or MQTT over WebSocket (on <c>Mqtt:WebSocketPaths</c>).</summary>
    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.Mqtt;

    /// <summary>TLS on this listener when it names a certificate file.</summary>
    public TlsCertificateOptions? Tls { get; set; }

    /// <summary>Put before every topic of this listener's clients and taken off what they receive (Mosquitto's mount_point).</summary>
    public string? MountPoint { get; set; }

    /// <summary>Highest QoS this listener's clients may use (Mosquitto's max_qos); announced to MQTT 5 clients.</summary>
    public byte MaximumQoS { get; set; } = 2;

    /// <summary>Who may connect here and what they may do; unset means the <c>Security</c> section
    /// (Mosquitto's per_listener_settings true gives each listener its own).</summary>
    public SecurityOptions? Security { get; set; }

    public bool UsesTls => Tls?.CertificateFile is not null;
}
