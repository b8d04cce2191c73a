using System.Globalization;
using MqttCluster.Core.Configuration;

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
        MapListeners(config, result);
        MapLimits(config, result);
        MapPersistence(config, result);
        MapLogging(config, result);
        MosquittoBridgeMapping.Map(config, result);
        result.Settings["Telemetry:SysInterval"] = Text((int)config.SysInterval.TotalSeconds);

        return result;
    }

    private static void MapListeners(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        MosquittoListener? mqtt = null;
        MosquittoListener? webSockets = null;
        MosquittoListener? mqttTls = null;
        MosquittoListener? webSocketsTls = null;
        foreach (var listener in config.Listeners)
        {
            if (listener.MaxConnections >= 0)
            {
                result.Warn(listener, "max_connections is not enforced yet; ignored");
            }

            ref var slot = ref listener.Protocol == ListenerProtocol.WebSockets
                ? ref (listener.UsesTls ? ref webSocketsTls : ref webSockets)
                : ref (listener.UsesTls ? ref mqttTls : ref mqtt);
            if (slot is not null)
            {
                result.Fail(listener, $"only one {(listener.UsesTls ? "TLS " : "")}{listener.Protocol} listener is supported; {slot} is already one");
                continue;
            }

            slot = listener;
        }

        result.Settings["Mqtt:TcpPort"] = Text(mqtt?.Port ?? -1);
        result.Settings["Mqtt:WebSocketPort"] = Text(webSockets?.Port ?? -1);
        result.Settings["Mqtt:Tls:Port"] = Text(mqttTls?.Port ?? -1);
        result.Settings["Mqtt:Tls:WebSocketPort"] = Text(webSocketsTls?.Port ?? -1);
        MapTls(mqttTls, webSocketsTls, result);

        var listeners = new[] { mqtt, webSockets, mqttTls, webSocketsTls }.OfType<MosquittoListener>().ToArray();
        var addresses = listeners.Select(BindAddressOf).Distinct().ToArray();
        if (addresses.Length > 1)
        {
            result.Fail(listeners[^1], $"all listeners must bind the same address here ({string.Join(" vs ", addresses)})");
        }

        if (addresses.Length > 0)
        {
            result.Settings["Mqtt:BindAddress"] = addresses[0];
        }

        // The security in force is what Mosquitto applies to these listeners; they must agree, as ours is global.
        var anonymous = listeners.Select(config.AllowsAnonymous).Distinct().ToArray();
        if (anonymous.Length > 1)
        {
            result.Fail(listeners[^1], "allow_anonymous must be the same for every listener here");
        }
        else if (anonymous.Length == 1)
        {
            result.Settings["Security:AllowAnonymous"] = anonymous[0] ? "true" : "false";
        }

        var files = listeners.Select(config.SecurityFor).Select(s => (s.PasswordFile, s.AclFile)).Distinct().ToArray();
        if (files.Length > 1)
        {
            result.Fail(listeners[^1], "password_file and acl_file must be the same for every listener here");
        }
        else if (files.Length == 1)
        {
            result.Settings["Security:PasswordFile"] = files[0].PasswordFile;
            result.Settings["Security:AclFile"] = files[0].AclFile;
        }

        var dynamicSecurity = listeners.Select(config.SecurityFor).Select(s => (s.DynamicSecurity, s.DynamicSecurityFile)).Distinct().ToArray();
        if (dynamicSecurity.Length > 1)
        {
            result.Fail(listeners[^1], "the dynamic-security plugin must be the same for every listener here");
        }
        else if (dynamicSecurity is [(true, null)])
        {
            result.Fail(listeners[^1], "the dynamic-security plugin needs plugin_opt_config_file (create one with: mosquitto_ctrl dynsec init FILE admin)");
        }
        else if (dynamicSecurity is [(true, { } dynamicSecurityFile)])
        {
            result.Settings["Security:DynamicSecurityFile"] = dynamicSecurityFile;
        }
    }

    private static void MapTls(MosquittoListener? mqttTls, MosquittoListener? webSocketsTls, MosquittoConfigMappingResult result)
    {
        var tls = new[] { mqttTls, webSocketsTls }.OfType<MosquittoListener>().ToArray();
        if (tls.Length == 0)
        {
            return;
        }

        if (tls.Select(l => (l.CertFile, l.KeyFile, l.CaFile, l.RequireCertificate, l.UseIdentityAsUsername)).Distinct().Count() > 1)
        {
            result.Fail(tls[^1], "both TLS listeners must use the same certfile, keyfile, cafile and certificate options here");
        }

        var first = tls[0];
        result.Settings["Mqtt:Tls:CertificateFile"] = first.CertFile;
        result.Settings["Mqtt:Tls:KeyFile"] = first.KeyFile;
        result.Settings["Mqtt:Tls:CaFile"] = first.CaFile;
        result.Settings["Mqtt:Tls:RequireClientCertificate"] = first.RequireCertificate ? "true" : "false";
        result.Settings["Mqtt:Tls:UseIdentityAsUsername"] = first.UseIdentityAsUsername ? "true" : "false";
    }

    // Mosquitto: no address means every interface; local-only mode means loopback.
    private static string BindAddressOf(MosquittoListener listener) =>
        listener.Origin == ListenerOrigin.LocalOnly ? "127.0.0.1" : listener.BindAddress ?? "*";

    private static void MapLimits(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        result.Settings["Sessions:MaxQueuedMessages"] = Text(config.MaxQueuedMessages == 0 ? UnlimitedQueue : config.MaxQueuedMessages);
        result.Settings["Sessions:QueueQos0Messages"] = config.QueueQos0Messages ? "true" : "false";
        result.Settings["Mqtt:MaxInflightMessages"] = Text(config.MaxInflightMessages == 0 ? UnlimitedInflight : config.MaxInflightMessages);
        result.Settings["Mqtt:RetainAvailable"] = config.RetainAvailable ? "true" : "false";
        result.Settings["Mqtt:MaxKeepAlive"] = Text(config.MaxKeepAlive >= 65535 ? 0 : config.MaxKeepAlive);

        if (config.MaxPacketSize is { } maxPacket)
        {
            result.Settings["Mqtt:MaxPacketSize"] = Text(maxPacket);
        }
        else if (config.MessageSizeLimit > 0)
        {
            // We limit whole packets; allow the largest topic and properties on top of the payload limit.
            result.Settings["Mqtt:MaxPacketSize"] = Text(Math.Min(config.MessageSizeLimit + 65_536 + 1024, 268_435_460));
            result.Warn("message_size_limit", "applied as a packet size limit of the payload limit plus 65 KiB for topic and properties");
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
        if ((config.LogDestinations & ~(MosquittoLogDestinations.Stdout | MosquittoLogDestinations.Stderr)) != 0)
        {
            result.Warn("log_dest", "the broker logs to standard output (journald under systemd); other destinations are ignored");
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
