using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// One X.509 certificate revocation list (RFC 5280, 5.1): its issuer, the serial numbers it revokes, and what its
/// signature covers. .NET has no reader for CRL files, so the DER is read here.
/// </summary>
internal sealed class CertificateRevocationList
{
    private readonly HashSet<string> _revokedSerials;
    private readonly byte[] _signedPart;
    private readonly string _signatureAlgorithm;
    private readonly byte[] _signature;

    private CertificateRevocationList(byte[] issuer, HashSet<string> revokedSerials, byte[] signedPart, string signatureAlgorithm, byte[] signature)
    {
        Issuer = issuer;
        _revokedSerials = revokedSerials;
        _signedPart = signedPart;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
    }

    /// <summary>The issuer's distinguished name, DER-encoded.</summary>
    public byte[] Issuer { get; }

    /// <summary>Every <c>X509 CRL</c> block of a PEM file.</summary>
    /// <exception cref="CryptographicException">A block is not a CRL.</exception>
    public static IReadOnlyList<CertificateRevocationList> LoadPem(string path)
    {
        var text = File.ReadAllText(path).AsSpan();
        var lists = new List<CertificateRevocationList>();
        while (PemEncoding.TryFind(text, out var fields))
        {
            if (text[fields.Label].SequenceEqual("X509 CRL"))
            {
                lists.Add(Parse(Convert.FromBase64String(text[fields.Base64Data].ToString())));
            }

            text = text[fields.Location.End..];
        }

        return lists;
    }

    public bool Revokes(X509Certificate2 certificate) =>
        _revokedSerials.Contains(Convert.ToHexString(certificate.SerialNumberBytes.Span));

    /// <summary>Whether <paramref name="issuer"/>'s key signed this list (an unsigned or forged list counts for nothing).</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer) || HashOf(_signatureAlgorithm) is not { } hash)
        {
            return false;
        }

        using var rsa = issuer.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.VerifyData(_signedPart, _signature, hash, RSASignaturePadding.Pkcs1);
        }

        using var ecdsa = issuer.GetECDsaPublicKey();
        return ecdsa is not null && ecdsa.VerifyData(_signedPart, _signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static CertificateRevocationList Parse(byte[] der)
    {
        try
        {
            // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var signedPart = list.PeekEncodedValue().ToArray();
            var tbs = list.ReadSequence();
            var algorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);

            // TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
            //                            revokedCertificates OPTIONAL, crlExtensions [0] OPTIONAL }
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            tbs.ReadEncodedValue();
            if (tbs.HasData && IsTime(tbs.PeekTag()))
            {
                tbs.ReadEncodedValue();
            }

            var serials = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    serials.Add(Convert.ToHexString(revoked.ReadSequence().ReadIntegerBytes().Span));
                }
            }

            return new CertificateRevocationList(issuer, serials, signedPart, algorithm, signature);
        }
        catch (AsnContentException exception)
        {
            throw new CryptographicException($"Not a certificate revocation list: {exception.Message}", exception);
        }
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static HashAlgorithmName? HashOf(string signatureAlgorithm) => signatureAlgorithm switch
    {
        "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        _ => null,
    };
}
