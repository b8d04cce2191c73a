namespace MqttCluster.Gateway.Security;

/// <summary>
/// The certificates of one TLS listener and how client certificates are checked (Mosquitto's certfile / keyfile /
/// cafile / crlfile / require_certificate / use_identity_as_username / use_subject_as_username).
/// </summary>
public class TlsCertificateOptions
{
    /// <summary>PEM server certificate, optionally followed by its intermediate CA certificates (sent with it).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of the certificate.</summary>
    public string? KeyFile { get; set; }

    /// <summary>PEM certificates of the CAs that sign client certificates. When the certificate file holds no
    /// intermediates, the server's own chain is completed from here too (as OpenSSL does for Mosquitto).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM certificate revocation lists: a client certificate listed by its issuer's CRL is refused, and
    /// so is one whose issuer has no CRL in the file (OpenSSL's CRL check, which Mosquitto turns on).</summary>
    public string? CrlFile { get; set; }

    /// <summary>Refuse TLS clients without a certificate signed by <see cref="CaFile"/>.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>Use the client certificate's common name as the MQTT username (the CONNECT username is ignored).</summary>
    public bool UseIdentityAsUsername { get; set; }

    /// <summary>Use the client certificate's whole subject, in RFC 2253 form (<c>CN=device,O=Example</c>), as the
    /// MQTT username.</summary>
    public bool UseSubjectAsUsername { get; set; }

    /// <summary>The certificate names the client: its CONNECT username and password are not used.</summary>
    public bool CertificateNamesClient => UseIdentityAsUsername || UseSubjectAsUsername;
}
