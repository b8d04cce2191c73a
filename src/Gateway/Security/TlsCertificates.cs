using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MqttCluster.Gateway.Security;

/// <summary>Kestrel TLS settings from PEM files, with client certificates checked against the configured CA only.</summary>
public static class TlsCertificates
{
    public static void Configure(HttpsConnectionAdapterOptions https, TlsOptions tls)
    {
        https.ServerCertificate = LoadServerCertificate(tls.CertificateFile!, tls.KeyFile!);
        if (tls.CaFile is null)
        {
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
            return;
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(tls.CaFile);
        https.ClientCertificateMode = tls.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate;
        https.ClientCertificateValidation = (certificate, _, _) => IsSignedBy(certificate, authorities);
    }

    private static X509Certificate2 LoadServerCertificate(string certificateFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);

        // SslStream on Linux wants a key it can use for the whole handshake; an exported PKCS#12 copy has one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Trusts exactly the configured CAs, not the machine's store (as Mosquitto's cafile does).</summary>
    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The name a certificate identifies its holder by: the subject's common name.</summary>
    public static string? IdentityOf(X509Certificate2? certificate) =>
        certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } name ? name : null;
}
