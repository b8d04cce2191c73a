using Microsoft.Extensions.Options;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>
/// Logins and permissions with the dynamic-security rules in front of Mosquitto's files, in the order Mosquitto
/// asks them: a username the rules know is decided by them (a wrong password, a disabled client or another client
/// id is refused); one they do not know goes to the password file (refused without one); anonymous clients follow
/// <c>allow_anonymous</c> and get the anonymous group's roles. Permissions of a username the rules do not know come
/// from the ACL file, or none without one.
/// </summary>
public sealed class DynamicSecurityAccess(
    MosquittoFileSecurity files,
    DynamicSecurityReplica replica,
    LoginNames logins,
    IOptions<SecurityOptions> options) : IClientAuthenticator, IClientAuthorizer
{
    private readonly bool _hasPasswordFile = options.Value.PasswordFile is not null;

    public bool IsActive => true;

    /// <summary>Both sources only count up, so their sum changes whenever either does.</summary>
    public long Version => files.Version + replica.Version;

    public AuthenticationResult Authenticate(ClientCredentials credentials)
    {
        var result = Decide(credentials);
        if (result.Accepted)
        {
            logins.Accepted(credentials.ClientId, result.Username);
        }

        return result;
    }

    public IClientPermissions For(string? username, string clientId)
    {
        if (username is null && replica.Rules.HasAnonymousGroup is false && files.IsActive)
        {
            return files.For(username, clientId);
        }

        if (replica.Rules.ForClient(username, clientId) is { } access)
        {
            return new DynamicSecurityPermissions(access);
        }

        return files.IsActive ? files.For(username, clientId) : NoPermissions.Instance;
    }

    private AuthenticationResult Decide(ClientCredentials credentials)
    {
        var rules = replica.Rules;
        if (credentials.CertificateIdentity is { } identity)
        {
            // The certificate vouches for the name; a disabled or deleted dynamic-security client stays out.
            return !rules.IsKnown(identity) || rules.MayStay(identity) ? files.Authenticate(credentials) : AuthenticationResult.NotAuthorized;
        }

        if (credentials.Username is not { } username)
        {
            return files.Authenticate(credentials);
        }

        return rules.Authenticate(username, credentials.Password ?? [], credentials.ClientId) switch
        {
            DynsecLogin.Accepted => AuthenticationResult.As(username),
            DynsecLogin.Refused => AuthenticationResult.WrongCredentials,
            _ => _hasPasswordFile ? files.Authenticate(credentials) : AuthenticationResult.WrongCredentials,
        };
    }
}
