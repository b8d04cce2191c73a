namespace MqttCluster.Gateway.Security;

/// <summary>Decides who may connect.</summary>
public interface IClientAuthenticator
{
    AuthenticationResult Authenticate(ClientCredentials credentials);
}
