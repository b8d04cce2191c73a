namespace MqttCluster.Gateway.Security;

/// <summary>The outcome of a login: accepted under a username (null = anonymous), or refused and why.</summary>
public sealed record AuthenticationResult(bool Accepted, string? Username, bool BadCredentials)
{
    public static AuthenticationResult Anonymous { get; } = new(true, null, false);

    public static AuthenticationResult As(string username) => new(true, username, false);

    /// <summary>Wrong or unknown username or password: v5 0x86, v3.1.1 0x04.</summary>
    public static AuthenticationResult WrongCredentials { get; } = new(false, null, true);

    /// <summary>Not allowed in at all (e.g. anonymous when anonymous is off): v5 0x87, v3.1.1 0x05.</summary>
    public static AuthenticationResult NotAuthorized { get; } = new(false, null, false);
}
