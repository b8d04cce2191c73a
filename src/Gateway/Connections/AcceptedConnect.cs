using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// What an accepted CONNECT settled for one connection: who the client is and the terms it is served on (keep-alive,
/// session expiry, will, its ACL, the limits it announced and the in-flight window). Set once by
/// <see cref="ConnectHandshake"/>; <see cref="Pending"/> until then.
/// </summary>
internal sealed record AcceptedConnect(
    string ClientId,
    bool CleanStart,
    ushort KeepAliveSeconds,
    uint SessionExpiry,
    BrokerMessage? Will,
    uint WillDelayInterval,
    uint WillMessageExpiryInterval,
    ClientAccess Access,
    uint MaximumPacketSize,
    ushort TopicAliasMaximum,
    int InflightWindow)
{
    /// <summary>Before CONNECT: no client id, nothing negotiated.</summary>
    public static AcceptedConnect Pending(Security.IClientAuthorizer authorizer) =>
        new(string.Empty, true, 0, 0, null, 0, 0, ClientAccess.Anonymous(authorizer), 0, 0, 0);

    /// <summary>Whether the session outlives the connection (session expiry above 0).</summary>
    public bool IsPersistent => SessionExpiry > 0;

    /// <summary>What the session grain is asked for on behalf of this connection.</summary>
    public SessionConnectRequest ToSessionRequest(string gatewayId, IGatewayObserver gateway) => new()
    {
        GatewayId = gatewayId,
        Gateway = gateway,
        CleanStart = CleanStart,
        SessionExpiryInterval = SessionExpiry,
        Will = Will,
        WillDelayInterval = WillDelayInterval,
        WillMessageExpiryInterval = WillMessageExpiryInterval,
    };
}
