using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// A certificate subject written as OpenSSL writes it with <c>XN_FLAG_RFC2253</c>, the form Mosquitto's
/// <c>use_subject_as_username</c> takes as the username: most specific part first, comma-separated, OpenSSL's
/// short attribute names (<c>CN=device-42,OU=Sensors,O=Example,C=GB</c>), special characters escaped.
/// </summary>
public static class CertificateSubject
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.4"] = "SN",
        ["2.5.4.5"] = "serialNumber",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "street",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.12"] = "title",
        ["2.5.4.42"] = "GN",
        ["1.2.840.113549.1.9.1"] = "emailAddress",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        ["0.9.2342.19200300.100.1.25"] = "DC",
    };

    public static string? Of(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                // Rare (multi-valued RDNs); .NET's own rendering of the whole name is the nearest we can give.
                return certificate.SubjectName.Decode(X500DistinguishedNameFlags.UseCommas);
            }

            var oid = rdn.GetSingleElementType().Value!;
            var name = ShortNames.GetValueOrDefault(oid, oid);
            parts.Add($"{name}={Escape(rdn.GetSingleElementValue() ?? string.Empty)}");
        }

        return parts.Count == 0 ? null : string.Join(',', parts);
    }

    /// <summary>RFC 2253 escaping as OpenSSL does it: specials with a backslash, control and non-ASCII bytes as \XX.</summary>
    private static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var edge = (i == 0 && (c == '#' || c == ' ')) || (i == value.Length - 1 && c == ' ');
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || edge)
            {
                text.Append('\\').Append(c);
            }
            else if (c < 0x20 || c >= 0x7F)
            {
                var length = char.IsSurrogatePair(value, i) ? 2 : 1;
                foreach (var b in Encoding.UTF8.GetBytes(value.Substring(i, length)))
                {
                    text.Append('\\').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }

                i += length - 1;
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
