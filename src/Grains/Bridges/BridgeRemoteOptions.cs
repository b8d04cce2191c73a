using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// How a bridge reaches its remote: the channel (TCP, TLS as <c>bridge_cafile</c> and the rest say, the protocol
/// version its packets are encoded in) and the CONNECT packet (identity, session, will).
/// </summary>
internal static class BridgeRemoteOptions
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The host and port of a <c>host:port</c> (or <c>[IPv6]:port</c>) address.</summary>
    public static (string Host, int Port) HostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The channel to <paramref name="address"/>; MQTTnet's low-level client opens it (TCP, TLS).</summary>
    public static MqttClientOptions Channel(BridgeOptions options, string address)
    {
        var (host, port) = HostAndPort(address);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(options.ProtocolVersion switch
            {
                BridgeProtocolVersion.Mqtt31 => MqttProtocolVersion.V310,
                BridgeProtocolVersion.Mqtt50 => MqttProtocolVersion.V500,
                _ => MqttProtocolVersion.V311,
            })
            .WithTimeout(Timeout);
        if (options.CaFile is not null || options.CaPath is not null)
        {
            builder.WithTlsOptions(tls => ConfigureTls(options, tls));
        }

        return builder.Build();
    }

    /// <summary>The CONNECT packet: the bridge's identity and session, and its will ("0" on the state topic).</summary>
    public static MqttConnectPacket Connect(BridgeOptions options)
    {
        var mqtt5 = options.ProtocolVersion == BridgeProtocolVersion.Mqtt50;
        var connect = new MqttConnectPacket
        {
            ClientId = options.EffectiveRemoteClientId,
            CleanSession = options.CleanSession,
            KeepAlivePeriod = (ushort)Math.Min(ushort.MaxValue, options.KeepAliveInterval.TotalSeconds),
            Username = options.RemoteUsername,
            Password = options.RemoteUsername is not null && options.RemotePassword is { } password ? Encoding.UTF8.GetBytes(password) : null,

            // The bridge bit belongs to MQTT 3.1/3.1.1's protocol version byte; MQTT 5 uses subscription options.
            TryPrivate = !mqtt5 && options.TryPrivate,
        };
        if (mqtt5)
        {
            // Mosquitto's bridge keeps its MQTT 5 session like a 3.1.1 persistent one unless told otherwise.
            connect.SessionExpiryInterval = (uint)(options.SessionExpiryInterval ?? (options.CleanSession ? 0 : uint.MaxValue));
            connect.ReceiveMaximum = (ushort)Math.Clamp(options.ReceiveMaximum, 0, ushort.MaxValue);
            connect.MaximumPacketSize = (uint)Math.Clamp(options.MaxPacketSize, 0, uint.MaxValue);
        }

        if (options.Notifications && !options.NotificationsLocalOnly)
        {
            connect.WillFlag = true;
            connect.WillTopic = options.EffectiveNotificationTopic;
            connect.WillMessage = BridgeMessageConversion.StatePayload(up: false);
            connect.WillQoS = MqttQualityOfServiceLevel.AtLeastOnce;
            connect.WillRetain = true;
        }

        return connect;
    }

    private static void ConfigureTls(BridgeOptions options, MqttClientTlsOptionsBuilder tls)
    {
        var authorities = Authorities(options);
        var insecure = options.Insecure;
        tls.UseTls()
            .WithCertificateValidationHandler(args => IsTrusted(args.Certificate, args.SslPolicyErrors, authorities, insecure))
            .WithSslProtocols(options.TlsVersion switch
            {
                "tlsv1.3" => SslProtocols.Tls13,
                "tlsv1.2" => SslProtocols.Tls12,
#pragma warning disable SYSLIB0039 // Mosquitto still offers TLS 1.1 to bridges; only when asked for.
                "tlsv1.1" => SslProtocols.Tls11,
#pragma warning restore SYSLIB0039
                _ => SslProtocols.None,
            });
        if (options.CertFile is { } certFile)
        {
            tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(certFile, options.KeyFile)]);
        }
    }

    /// <summary>The CAs of <c>bridge_cafile</c> and of every file in <c>bridge_capath</c> that holds PEM certificates
    /// (OpenSSL's hashed names in such a directory are links to them; other files are passed over).</summary>
    private static X509Certificate2Collection Authorities(BridgeOptions options)
    {
        var authorities = new X509Certificate2Collection();
        if (options.CaFile is { } caFile)
        {
            authorities.ImportFromPemFile(caFile);
        }

        foreach (var file in options.CaPath is { } caPath ? Directory.EnumerateFiles(caPath) : [])
        {
            try
            {
                authorities.ImportFromPemFile(file);
            }
            catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
            {
                // Not a certificate file (a CRL, a README): Mosquitto's OpenSSL passes over it too.
            }
        }

        return authorities;
    }

    /// <summary>
    /// The remote's certificate must chain to a CA of <c>bridge_cafile</c> (only those, not the system's) and, unless
    /// <c>bridge_insecure</c>, name the host connected to.
    /// </summary>
    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities, bool insecure)
    {
        if (certificate is null || (!insecure && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var remote = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(remote);
    }
}
