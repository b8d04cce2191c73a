using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The request for an end-entity certificate of the tests: a TLS server for localhost / 127.0.0.1 (or only for
/// <c>serverName</c>), or a TLS client.
/// </summary>
public static class LeafCertificateRequest
{
    public static CertificateRequest Create(string subject, RSA key, bool server, string? serverName = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (serverName is not null)
            {
                names.AddDnsName(serverName);
            }
            else
            {
                names.AddDnsName("localhost");
                names.AddIpAddress(IPAddress.Loopback);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        return request;
    }
}
