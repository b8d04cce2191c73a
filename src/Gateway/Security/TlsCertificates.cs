using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// Kestrel TLS settings from PEM files, as Mosquitto uses them: the server certificate goes out with its chain,
/// client certificates are checked against the configured CAs only, and against the CRL file when there is one.
/// </summary>
public static class TlsCertificates
{
    public static void Configure(HttpsConnectionAdapterOptions https, TlsCertificateOptions tls)
    {
        var authorities = new X509Certificate2Collection();
        if (tls.CaFile is not null)
        {
            authorities.ImportFromPemFile(tls.CaFile);
        }

        https.ServerCertificate = LoadServerCertificate(tls.CertificateFile!, tls.KeyFile!);
        https.ServerCertificateChain = ChainOf(https.ServerCertificate, tls.CertificateFile!, authorities);
        if (tls.CaFile is null)
        {
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
            return;
        }

        var revocation = tls.CrlFile is { } crlFile ? new ClientCertificateRevocation(crlFile) : null;
        revocation?.Load();
        https.ClientCertificateMode = tls.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate;
        https.ClientCertificateValidation = (certificate, _, _) => IsTrusted(certificate, authorities, revocation);
    }

    private static X509Certificate2 LoadServerCertificate(string certificateFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);

        // SslStream on Linux wants a key it can use for the whole handshake; an exported PKCS#12 copy has one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>
    /// The certificates sent after the server's own: the intermediates that follow it in the certificate file, or,
    /// when the file has none, its issuers found among the CA file's certificates (OpenSSL completes Mosquitto's
    /// chain from there too). A self-signed root is left out: a client that trusts it has it already.
    /// </summary>
    private static X509Certificate2Collection ChainOf(X509Certificate2 server, string certificateFile, X509Certificate2Collection authorities)
    {
        var inFile = new X509Certificate2Collection();
        inFile.ImportFromPemFile(certificateFile);
        var chain = new X509Certificate2Collection();
        foreach (var certificate in inFile)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(server.RawDataMemory.Span) && !IsSelfSigned(certificate))
            {
                chain.Add(certificate);
            }
        }

        if (chain.Count > 0)
        {
            return chain;
        }

        for (var current = server; FindIssuer(current, authorities) is { } issuer && !IsSelfSigned(issuer) && chain.Count < authorities.Count; current = issuer)
        {
            chain.Add(issuer);
        }

        return chain;
    }

    private static X509Certificate2? FindIssuer(X509Certificate2 certificate, X509Certificate2Collection candidates)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) && !ReferenceEquals(candidate, certificate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    /// <summary>Trusts exactly the configured CAs, not the machine's store (as Mosquitto's cafile does).</summary>
    private static bool IsTrusted(X509Certificate2 certificate, X509Certificate2Collection authorities, ClientCertificateRevocation? revocation)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.ExtraStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate) && revocation?.Refuses(chain) != true;
    }

    /// <summary>The name a certificate identifies its holder by: the subject's common name.</summary>
    public static string? IdentityOf(X509Certificate2? certificate) =>
        certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } name ? name : null;
}
