namespace MqttCluster.Gateway.Security;

/// <summary>
/// TLS for the MQTT listeners (Mosquitto's certfile / keyfile / cafile / require_certificate /
/// use_identity_as_username). Bound from <c>Mqtt:Tls</c>.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>MQTT over TLS; -1 = off (the usual port is 8883).</summary>
    public int Port { get; set; } = -1;

    /// <summary>MQTT over WebSocket over TLS (wss); -1 = off.</summary>
    public int WebSocketPort { get; set; } = -1;

    /// <summary>PEM server certificate (with its chain).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of the certificate.</summary>
    public string? KeyFile { get; set; }

    /// <summary>PEM certificates of the CAs that sign client certificates.</summary>
    public string? CaFile { get; set; }

    /// <summary>Refuse TLS clients without a certificate signed by <see cref="CaFile"/>.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>Use the client certificate's common name as the MQTT username (the CONNECT username is ignored).</summary>
    public bool UseIdentityAsUsername { get; set; }

    public bool Enabled => Port >= 0 || WebSocketPort >= 0;
}
