using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>CONNECT settings for a session that outlives its connection, in both protocol versions.</summary>
public static class PersistentSession
{
    /// <summary>Session expiry a v5 test client asks for, in seconds.</summary>
    public const uint Expiry = 3600;

    /// <summary>Clean start 0; v5 with a session expiry, 3.1.1 with clean session 0 (the broker's default expiry).</summary>
    public static MqttClientOptionsBuilder WithPersistentSession(this MqttClientOptionsBuilder options, MqttProtocolVersion version, uint expiry = Expiry) =>
        version == MqttProtocolVersion.V500
            ? options.WithCleanStart(false).WithSessionExpiryInterval(expiry)
            : options.WithCleanSession(false);

    /// <summary>A raw CONNECT resuming or creating a persistent session, without keep-alive.</summary>
    public static MqttConnectPacket Connect(string clientId, MqttProtocolVersion version, uint expiry = Expiry) => new()
    {
        ClientId = clientId,
        CleanSession = false,
        SessionExpiryInterval = version == MqttProtocolVersion.V500 ? expiry : 0,
        KeepAlivePeriod = 0,
    };
}
