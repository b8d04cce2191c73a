using System.Globalization;
using MqttCluster.Core.Configuration;

namespace MqttCluster.Silo.Configuration;

/// <summary>
/// A <c>mosquitto.conf</c>'s bridges as native settings (<c>Bridges:NAME:...</c>), and what of them is not honoured:
/// errors where ignoring it would connect differently than configured (weaker TLS checks), warnings otherwise.
/// </summary>
internal static class MosquittoBridgeMapping
{
    public static void Map(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        foreach (var bridge in config.Bridges)
        {
            var key = $"Bridges:{bridge.Name}:";
            var settings = result.Settings;
            for (var i = 0; i < bridge.Addresses.Count; i++)
            {
                settings[$"{key}Addresses:{i}"] = bridge.Addresses[i];
            }

            for (var i = 0; i < bridge.Topics.Count; i++)
            {
                var topic = bridge.Topics[i];
                settings[$"{key}Topics:{i}:Pattern"] = topic.Pattern;
                settings[$"{key}Topics:{i}:Direction"] = topic.Direction;
                settings[$"{key}Topics:{i}:Qos"] = Text(topic.Qos);
                settings[$"{key}Topics:{i}:LocalPrefix"] = topic.LocalPrefix;
                settings[$"{key}Topics:{i}:RemotePrefix"] = topic.RemotePrefix;
            }

            settings[$"{key}RoundRobin"] = Flag(bridge.RoundRobin);
            settings[$"{key}ProtocolVersion"] = bridge.ProtocolVersion switch { "mqttv31" => "Mqtt31", "mqttv50" => "Mqtt50", _ => "Mqtt311" };
            settings[$"{key}CleanSession"] = Flag(bridge.CleanSession);
            settings[$"{key}LocalCleanSession"] = bridge.LocalCleanSession is { } local ? Flag(local) : null;
            settings[$"{key}RemoteClientId"] = bridge.RemoteClientId;
            settings[$"{key}LocalClientId"] = bridge.LocalClientId;
            settings[$"{key}RemoteUsername"] = bridge.RemoteUsername;
            settings[$"{key}RemotePassword"] = bridge.RemotePassword;
            settings[$"{key}TryPrivate"] = Flag(bridge.TryPrivate);
            settings[$"{key}Notifications"] = Flag(bridge.Notifications);
            settings[$"{key}NotificationTopic"] = bridge.NotificationTopic;
            settings[$"{key}NotificationsLocalOnly"] = Flag(bridge.NotificationsLocalOnly);
            settings[$"{key}KeepAliveInterval"] = Seconds(bridge.KeepAliveInterval);
            settings[$"{key}RestartTimeout"] = Seconds(bridge.RestartTimeoutBase);
            settings[$"{key}RestartTimeoutCap"] = Seconds(bridge.RestartTimeoutCap);
            settings[$"{key}StartType"] = bridge.StartType;
            settings[$"{key}Threshold"] = Text(bridge.Threshold);
            settings[$"{key}IdleTimeout"] = Seconds(bridge.IdleTimeout);
            settings[$"{key}AttemptUnsubscribe"] = Flag(bridge.AttemptUnsubscribe);
            settings[$"{key}OutgoingRetain"] = Flag(bridge.OutgoingRetain);
            settings[$"{key}CaFile"] = bridge.CaFile;
            settings[$"{key}CaPath"] = bridge.CaPath;
            settings[$"{key}CertFile"] = bridge.CertFile;
            settings[$"{key}KeyFile"] = bridge.KeyFile;
            settings[$"{key}Insecure"] = Flag(bridge.Insecure);
            settings[$"{key}TlsVersion"] = bridge.TlsVersion;
            settings[$"{key}MaxPacketSize"] = Text(bridge.MaxPacketSize);
            settings[$"{key}ReceiveMaximum"] = Text(bridge.ReceiveMaximum ?? 0);
            settings[$"{key}SessionExpiryInterval"] = bridge.SessionExpiryInterval is { } expiry ? Text(expiry) : null;

            // Mosquitto bounds a bridge's queue like any client's.
            settings[$"{key}MaxQueuedMessages"] = Text(config.MaxQueuedMessages == 0 ? 1_000_000 : config.MaxQueuedMessages);
        }
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(int seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
}
