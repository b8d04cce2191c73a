using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A throw-away CA with a server certificate for localhost / 127.0.0.1 (or only for <c>serverName</c>, a name the
/// tests never connect to) and a client certificate, written as PEM files the way an operator has them (certfile,
/// keyfile, cafile).
/// </summary>
public sealed class TestCertificates
{
    public TestCertificates(string directory, string clientName = "device-42", string? serverName = null)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=mqtt-cluster test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        CaFile = Write(directory, "ca.pem", ca.ExportCertificatePem());
        (ServerCertificateFile, ServerKeyFile) = Issue(directory, "server", $"CN={serverName ?? "localhost"}", ca, notBefore, notAfter, server: true, serverName);
        (ClientCertificateFile, ClientKeyFile) = Issue(directory, "client", $"CN={clientName}", ca, notBefore, notAfter, server: false, serverName: null);
    }

    public string CaFile { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCertificateFile { get; }

    public string ClientKeyFile { get; }

    private static (string Certificate, string Key) Issue(string directory, string name, string subject, X509Certificate2 ca, DateTimeOffset notBefore, DateTimeOffset notAfter, bool server, string? serverName)
    {
        using var key = RSA.Create(2048);
        var request = LeafCertificateRequest.Create(subject, key, server, serverName);

        using var certificate = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        return (Write(directory, $"{name}.pem", certificate.ExportCertificatePem()), Write(directory, $"{name}.key", key.ExportPkcs8PrivateKeyPem()));
    }

    private static string Write(string directory, string name, string pem)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
