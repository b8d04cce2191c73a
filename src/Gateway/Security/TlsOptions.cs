namespace MqttCluster.Gateway.Security;

/// <summary>
/// The TLS listeners of the <c>Mqtt</c> section and their certificates (<c>Mqtt:Tls</c>). More TLS listeners, each
/// with certificates of its own, are entries of <c>Mqtt:Listeners</c>.
/// </summary>
public sealed class TlsOptions : TlsCertificateOptions
{
    /// <summary>MQTT over TLS; -1 = off (the usual port is 8883).</summary>
    public int Port { get; set; } = -1;

    /// <summary>MQTT over WebSocket over TLS (wss); -1 = off.</summary>
    public int WebSocketPort { get; set; } = -1;

    public bool Enabled => Port >= 0 || WebSocketPort >= 0;
}
