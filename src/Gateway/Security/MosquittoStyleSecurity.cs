using Microsoft.Extensions.Options;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// Mosquitto's rules for who may connect when no password file is configured: anonymous clients are accepted when
/// allowed (by default only while every listener is on loopback); a client that sends a username without a
/// password file to check it against is refused, since nothing could vouch for it.
/// </summary>
public sealed class MosquittoStyleSecurity(IOptions<SecurityOptions> security, IOptions<GatewayOptions> gateway) : IClientAuthenticator, IClientAuthorizer
{
    private readonly bool _allowAnonymous = security.Value.AllowAnonymous ?? IsLoopbackOnly(gateway.Value);

    public bool IsActive => false;

    public AuthenticationResult Authenticate(ClientCredentials credentials)
    {
        if (credentials.Username is null)
        {
            return _allowAnonymous ? AuthenticationResult.Anonymous : AuthenticationResult.NotAuthorized;
        }

        // With TLS identities the certificate, checked against the CA, vouches for the name.
        return credentials.CertificateIdentity is not null ? AuthenticationResult.As(credentials.Username)
            : _allowAnonymous ? AuthenticationResult.As(credentials.Username)
            : AuthenticationResult.WrongCredentials;
    }

    public bool CanPublish(string? username, string clientId, string topic) => true;

    public bool CanSubscribe(string? username, string clientId, string filter) => true;

    public bool CanReceive(string? username, string clientId, string topic) => true;

    private static bool IsLoopbackOnly(GatewayOptions options) =>
        options.BindAddress is "localhost" ||
        (System.Net.IPAddress.TryParse(options.BindAddress, out var address) && System.Net.IPAddress.IsLoopback(address));
}
