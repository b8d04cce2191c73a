using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A CA hierarchy as operators have it, written as PEM files: a root CA, an intermediate CA under it that signs the
/// server certificate (localhost / 127.0.0.1), two client certificates from the root (device-1 and device-2), and
/// the root's CRL revoking device-2.
/// </summary>
public sealed class TestCertificateChain
{
    private readonly DateTimeOffset _notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
    private readonly DateTimeOffset _notAfter = DateTimeOffset.UtcNow.AddDays(1);

    public TestCertificateChain(string directory)
    {
        using var rootKey = RSA.Create(2048);
        using var root = Authority("CN=Example Root CA, O=Example", rootKey, issuer: null);
        using var intermediateKey = RSA.Create(2048);
        using var intermediate = Authority("CN=Example Issuing CA, O=Example", intermediateKey, root);

        RootFile = Write(directory, "root.pem", root.ExportCertificatePem());
        CaBundleFile = Write(directory, "ca-bundle.pem", root.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());
        using var serverKey = RSA.Create(2048);
        using var server = Leaf("CN=localhost", serverKey, intermediate, server: true);
        ServerKeyFile = Write(directory, "server.key", serverKey.ExportPkcs8PrivateKeyPem());
        ServerLeafFile = Write(directory, "server.pem", server.ExportCertificatePem());
        ServerChainFile = Write(directory, "server-chain.pem", server.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());

        (DeviceFile, DeviceKeyFile, _) = Client(directory, "device-1", root);
        (RevokedDeviceFile, RevokedDeviceKeyFile, var revoked) = Client(directory, "device-2", root);

        var crl = new CertificateRevocationListBuilder();
        crl.AddEntry(revoked);
        CrlFile = Write(directory, "crl.pem", PemEncoding.WriteString("X509 CRL", crl.Build(root, BigInteger.One, _notAfter, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        revoked.Dispose();
    }

    public string RootFile { get; }

    /// <summary>The root and the intermediate, as a cafile from which the server's chain can be completed.</summary>
    public string CaBundleFile { get; }

    public string ServerLeafFile { get; }

    /// <summary>The server certificate followed by the intermediate CA's.</summary>
    public string ServerChainFile { get; }

    public string ServerKeyFile { get; }

    public string DeviceFile { get; }

    public string DeviceKeyFile { get; }

    public string RevokedDeviceFile { get; }

    public string RevokedDeviceKeyFile { get; }

    public string CrlFile { get; }

    private X509Certificate2 Authority(string subject, RSA key, X509Certificate2? issuer)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(_notBefore, _notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var signed = request.Create(issuer, _notBefore, _notAfter, RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(key);
    }

    private X509Certificate2 Leaf(string subject, RSA key, X509Certificate2 issuer, bool server)
    {
        var request = LeafCertificateRequest.Create(subject, key, server);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return request.Create(issuer, _notBefore, _notAfter, RandomNumberGenerator.GetBytes(8));
    }

    private (string Certificate, string Key, X509Certificate2 Issued) Client(string directory, string name, X509Certificate2 issuer)
    {
        using var key = RSA.Create(2048);
        var certificate = Leaf($"CN={name}, O=Example Devices", key, issuer, server: false);
        return (Write(directory, $"{name}.pem", certificate.ExportCertificatePem()), Write(directory, $"{name}.key", key.ExportPkcs8PrivateKeyPem()), certificate);
    }

    private static string Write(string directory, string name, string pem)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, pem + "\n");
        return path;
    }
}
