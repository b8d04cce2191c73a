using System.Security.Cryptography.X509Certificates;
using MqttCluster.Gateway.Security;
using MqttCluster.Gateway.Transport;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Listeners;

/// <summary>
/// What a connection takes from the listener it arrived on: how its packets are read and written (mount point,
/// maximum QoS) and how its client is named at login (by certificate or by CONNECT username).
/// </summary>
public sealed class ListenerSettings(string name, ListenerPacketPolicy packets, TlsCertificateOptions? tls)
{
    /// <summary>A listener without any setting of its own.</summary>
    public static ListenerSettings Default { get; } = new("default", ListenerPacketPolicy.None, null);

    /// <summary>How logs and errors name the listener (<c>tcp</c>, <c>listener 2</c>, ...).</summary>
    public string Name { get; } = name;

    public ListenerPacketPolicy Packets { get; } = packets;

    /// <summary>The Maximum QoS of the CONNACK [MQTT-3.2.2-9].</summary>
    public MqttQualityOfServiceLevel MaximumQoS => Packets.MaximumQoS;

    /// <summary>What the client presents: its certificate's name on a listener that names clients so, else its
    /// CONNECT username and password.</summary>
    public ClientCredentials Credentials(string clientId, string? username, byte[]? password, X509Certificate2? certificate, string endpoint)
    {
        if (tls is not { CertificateNamesClient: true })
        {
            return new ClientCredentials(clientId, username, password, null, endpoint);
        }

        var identity = tls.UseSubjectAsUsername ? CertificateSubject.Of(certificate) : TlsCertificates.IdentityOf(certificate);
        return new ClientCredentials(clientId, identity, null, identity, endpoint, CertificateRequired: true);
    }
}
