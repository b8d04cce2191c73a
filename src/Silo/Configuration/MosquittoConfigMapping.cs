using System.Globalization;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Connections;

namespace MqttCluster.Silo.Configuration;

/// <summary>
/// Turns a parsed <c>mosquitto.conf</c> into this broker's native settings (Mqtt:*, Sessions:*, Silo:*, Telemetry:*), so a
/// Mosquitto user's file starts the same broker they had. What cannot be honoured is an error where ignoring it
/// would let in clients Mosquitto would refuse (authentication, TLS), and a warning otherwise.
/// </summary>
public static class MosquittoConfigMapping
{
    // Mosquitto's "no limit" values, expressed as the largest our settings take.
    private const int UnlimitedQueue = 1_000_000;
    private const int UnlimitedInflight = 65535;
    private static readonly TimeSpan Never = TimeSpan.FromDays(3650);

    public static MosquittoConfigMappingResult Map(MosquittoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new MosquittoConfigMappingResult();
        MosquittoListenerMapping.Map(config, result);
        MapLimits(config, result);
        MapPersistence(config, result);
        MapLogging(config, result);
        MosquittoBridgeMapping.Map(config, result);
        result.Settings["Telemetry:SysInterval"] = Text((int)config.SysInterval.TotalSeconds);

        return result;
    }

    private static void MapLimits(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        result.Settings["Sessions:MaxQueuedMessages"] = Text(config.MaxQueuedMessages == 0 ? UnlimitedQueue : config.MaxQueuedMessages);
        result.Settings["Sessions:QueueQos0Messages"] = config.QueueQos0Messages ? "true" : "false";
        result.Settings["Mqtt:MaxInflightMessages"] = Text(config.MaxInflightMessages == 0 ? UnlimitedInflight : config.MaxInflightMessages);

        // Mosquitto announces max_inflight_messages as its Receive Maximum to MQTT 5 clients, and so do we.
        result.Settings["Mqtt:ReceiveMaximum"] = Text(config.MaxInflightMessages == 0 ? UnlimitedInflight : config.MaxInflightMessages);
        result.Settings["Mqtt:MessageSizeLimit"] = Text(config.MessageSizeLimit);
        result.Settings["Mqtt:UpgradeOutgoingQoS"] = config.UpgradeOutgoingQos ? "true" : "false";
        result.Settings["Mqtt:RetainAvailable"] = config.RetainAvailable ? "true" : "false";
        result.Settings["Mqtt:MaxKeepAlive"] = Text(config.MaxKeepAlive >= 65535 ? 0 : config.MaxKeepAlive);

        if (config.MaxPacketSize is { } maxPacket)
        {
            result.Settings["Mqtt:MaxPacketSize"] = Text(maxPacket);
        }

        var expiry = config.PersistentClientExpiration ?? Never;
        result.Settings["Sessions:PersistentClientExpiration"] = expiry.ToString("c", CultureInfo.InvariantCulture);
        if (expiry > TimeSpan.FromDays(7))
        {
            result.Settings["Sessions:MaxSessionExpiry"] = expiry.ToString("c", CultureInfo.InvariantCulture);
        }
    }

    private static void MapPersistence(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        if (config.PersistenceLocation is { } location)
        {
            result.Settings["Silo:DataDirectory"] = location;
        }

        if (!config.Persistence)
        {
            result.Warn("persistence", "is off (Mosquitto's default), but this broker always keeps retained messages and persistent sessions on disk, in Silo:DataDirectory");
        }

        if (config.AutosaveInterval != TimeSpan.FromSeconds(1800))
        {
            result.Warn("autosave_interval", "state is written when it changes, not periodically; ignored");
        }
    }

    private static void MapLogging(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        var level = config.LogTypes.HasFlag(MosquittoLogTypes.Debug) ? "Debug"
            : (config.LogTypes & (MosquittoLogTypes.Information | MosquittoLogTypes.Notice)) != 0 ? "Information"
            : config.LogTypes.HasFlag(MosquittoLogTypes.Warning) ? "Warning"
            : config.LogTypes.HasFlag(MosquittoLogTypes.Error) ? "Error"
            : "None";
        result.Settings["Logging:LogLevel:Default"] = level;
        if (!config.ConnectionMessages)
        {
            result.Settings[$"Logging:LogLevel:{GatewayServices.ConnectionMessagesCategory}"] = "Warning";
        }
        if ((config.LogDestinations & ~(MosquittoLogDestinations.Stdout | MosquittoLogDestinations.Stderr)) != 0)
        {
            result.Warn("log_dest", "the broker logs to standard output (journald under systemd); other destinations are ignored");
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
