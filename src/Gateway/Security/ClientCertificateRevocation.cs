using System.Security.Cryptography.X509Certificates;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// Mosquitto's <c>crlfile</c>: a client certificate is refused when its issuer's CRL lists it, or when the file has
/// no CRL from its issuer (OpenSSL's CRL check fails then too). The file is read again when it changes, so a
/// revocation takes effect at the next TLS handshake without a restart.
/// </summary>
internal sealed class ClientCertificateRevocation(string crlFile)
{
    private readonly Lock _lock = new();
    private (DateTime Written, IReadOnlyList<CertificateRevocationList> Lists) _loaded = (DateTime.MinValue, []);

    /// <summary>Loads the file now, so a file that cannot be read stops the start rather than every client.</summary>
    public void Load() => _ = Lists();

    /// <summary>True when the chain's leaf is revoked or cannot be checked; <paramref name="chain"/> is built.</summary>
    public bool Refuses(X509Chain chain)
    {
        var leaf = chain.ChainElements[0].Certificate;
        var issuer = chain.ChainElements.Count > 1 ? chain.ChainElements[1].Certificate : leaf;
        var fromIssuer = Lists().Where(l => l.IsSignedBy(issuer)).ToList();
        return fromIssuer.Count == 0 || fromIssuer.Exists(l => l.Revokes(leaf));
    }

    private IReadOnlyList<CertificateRevocationList> Lists()
    {
        var written = File.GetLastWriteTimeUtc(crlFile);
        lock (_lock)
        {
            if (_loaded.Written != written)
            {
                _loaded = (written, CertificateRevocationList.LoadPem(crlFile));
            }

            return _loaded.Lists;
        }
    }
}
