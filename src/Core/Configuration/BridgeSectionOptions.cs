using System.Globalization;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Configuration;

/// <summary>
/// The options of a bridge section: <c>connection NAME</c> opens it, and every bridge option after it (until the
/// next <c>connection</c>) belongs to it, as in Mosquitto. A bridge option before any <c>connection</c> is an error.
/// </summary>
internal static class BridgeSectionOptions
{
    /// <summary>Bridge options Mosquitto knows that cannot be honoured; errors where ignoring them would weaken
    /// TLS or connect differently than configured, warnings otherwise.</summary>
    private static readonly Dictionary<string, (ConfigSeverity Severity, string Reason)> NotSupported = new(StringComparer.Ordinal)
    {
        ["bridge_alpn"] = (ConfigSeverity.Error, "ALPN for bridges is not supported; the remote may not accept the connection"),
        ["bridge_bind_address"] = (ConfigSeverity.Error, "not supported; the bridge would connect from another address than configured"),
        ["bridge_ciphers"] = (ConfigSeverity.Error, "cipher lists are not supported; ignoring it could allow ciphers you excluded"),
        ["bridge_ciphers_tls1.3"] = (ConfigSeverity.Error, "cipher lists are not supported; ignoring it could allow ciphers you excluded"),
        ["bridge_identity"] = (ConfigSeverity.Error, "TLS with pre-shared keys is not supported for bridges"),
        ["bridge_psk"] = (ConfigSeverity.Error, "TLS with pre-shared keys is not supported for bridges"),
        ["bridge_require_ocsp"] = (ConfigSeverity.Error, "OCSP checks are not supported; the remote's certificate would not be checked as configured"),
        ["bridge_tcp_keepalive"] = (ConfigSeverity.Warning, "not supported; MQTT keep-alive (keepalive_interval) still applies"),
        ["bridge_tcp_user_timeout"] = (ConfigSeverity.Warning, "not supported; MQTT keep-alive (keepalive_interval) still applies"),
        ["bridge_max_topic_alias"] = (ConfigSeverity.Warning, "not supported; the bridge sends topics in full"),
        ["bridge_reload_type"] = (ConfigSeverity.Warning, "not supported; a reload (SIGHUP) restarts a changed bridge at once"),
        ["local_username"] = (ConfigSeverity.Warning, "the bridge runs inside the broker, so there is no local login; ignored"),
        ["local_password"] = (ConfigSeverity.Warning, "the bridge runs inside the broker, so there is no local login; ignored"),
    };

    public static void Register(Dictionary<string, OptionHandler> table)
    {
        table["connection"] = Connection;
        table["address"] = Address;
        table["addresses"] = Address;
        table["round_robin"] = (state, line) => Boolean(state, line, (b, v) => b.RoundRobin = v);
        table["topic"] = BridgeTopicLine.Parse;
        table["bridge_protocol_version"] = (state, line) => Keyword(state, line, ["mqttv31", "mqttv311", "mqttv50"], (b, v) => b.ProtocolVersion = v);
        table["cleansession"] = (state, line) => Boolean(state, line, (b, v) => b.CleanSession = v);
        table["local_cleansession"] = (state, line) => Boolean(state, line, (b, v) => b.LocalCleanSession = v);
        table["remote_clientid"] = (state, line) => Text(state, line, (b, v) => b.RemoteClientId = v);
        table["clientid"] = (state, line) => Text(state, line, (b, v) => b.RemoteClientId = v);
        table["local_clientid"] = (state, line) => Text(state, line, (b, v) => b.LocalClientId = v);
        table["remote_username"] = (state, line) => Text(state, line, (b, v) => b.RemoteUsername = v);
        table["username"] = (state, line) => Text(state, line, (b, v) => b.RemoteUsername = v);
        table["remote_password"] = (state, line) => Text(state, line, (b, v) => b.RemotePassword = v);
        table["password"] = (state, line) => Text(state, line, (b, v) => b.RemotePassword = v);
        table["try_private"] = (state, line) => Boolean(state, line, (b, v) => b.TryPrivate = v);
        table["notifications"] = (state, line) => Boolean(state, line, (b, v) => b.Notifications = v);
        table["notifications_local_only"] = (state, line) => Boolean(state, line, (b, v) => b.NotificationsLocalOnly = v);
        table["notification_topic"] = NotificationTopic;
        table["keepalive_interval"] = KeepAliveInterval;
        table["restart_timeout"] = RestartTimeout;
        table["start_type"] = (state, line) => Keyword(state, line, ["automatic", "lazy", "once"], (b, v) => b.StartType = v);
        table["threshold"] = (state, line) => Integer(state, line, 1, int.MaxValue, (b, v) => b.Threshold = (int)v);
        table["idle_timeout"] = (state, line) => Integer(state, line, 1, int.MaxValue, (b, v) => b.IdleTimeout = (int)v);
        table["bridge_attempt_unsubscribe"] = (state, line) => Boolean(state, line, (b, v) => b.AttemptUnsubscribe = v);
        table["bridge_outgoing_retain"] = (state, line) => Boolean(state, line, (b, v) => b.OutgoingRetain = v);
        table["bridge_cafile"] = (state, line) => FilePath(state, line, (b, v) => b.CaFile = v);
        table["bridge_capath"] = (state, line) => FilePath(state, line, (b, v) => b.CaPath = v);
        table["bridge_certfile"] = (state, line) => FilePath(state, line, (b, v) => b.CertFile = v);
        table["bridge_keyfile"] = (state, line) => FilePath(state, line, (b, v) => b.KeyFile = v);
        table["bridge_insecure"] = (state, line) => Boolean(state, line, (b, v) => b.Insecure = v);
        table["bridge_tls_version"] = (state, line) => Keyword(state, line, ["tlsv1.3", "tlsv1.2", "tlsv1.1"], (b, v) => b.TlsVersion = v);
        table["bridge_max_packet_size"] = (state, line) => Integer(state, line, 0, int.MaxValue, (b, v) => b.MaxPacketSize = v);
        table["bridge_receive_maximum"] = (state, line) => Integer(state, line, 1, 65535, (b, v) => b.ReceiveMaximum = (int)v);
        table["bridge_session_expiry_interval"] = (state, line) => Integer(state, line, 0, uint.MaxValue, (b, v) => b.SessionExpiryInterval = v);
        foreach (var (name, (severity, reason)) in NotSupported)
        {
            table[name] = (state, line) =>
            {
                if (BridgeOf(state, line) is not null)
                {
                    state.Report(severity, line, reason);
                }
            };
        }
    }

    /// <summary>The open bridge section; null (after reporting) when the option comes before any <c>connection</c>.</summary>
    internal static MosquittoBridge? BridgeOf(ConfigParseState state, ConfigLine line)
    {
        if (state.CurrentBridge is { } bridge)
        {
            bridge.OptionLines[line.Name] = line.Number;
            return bridge;
        }

        state.Error(line, "a bridge option outside a bridge: it must follow a 'connection NAME' line");
        return null;
    }

    private static void Connection(ConfigParseState state, ConfigLine line)
    {
        var name = ConfigValues.Word(state, line);
        if (state.Config.BridgeList.Find(b => b.Name == name) is { } other)
        {
            state.Error(line, $"a bridge named '{name}' is already defined at {other.File}:{other.Line}");
        }

        var bridge = new MosquittoBridge(name, line.File, line.Number);
        state.Config.BridgeList.Add(bridge);
        state.CurrentBridge = bridge;
    }

    private static void Address(ConfigParseState state, ConfigLine line)
    {
        if (BridgeOf(state, line) is not { } bridge || !state.SetOnce(bridge, line with { Name = "address" }))
        {
            return;
        }

        foreach (var token in line.Tokens)
        {
            if (ParseAddress(token) is { } address)
            {
                bridge.Addresses.Add(address);
            }
            else
            {
                state.Error(line, $"'{token}' is not an address: write host, host:port or, for IPv6, [address]:port");
            }
        }
    }

    /// <summary><c>host[:port]</c>; an IPv6 address needs its port (Mosquitto's rule) and is written bracketed.</summary>
    internal static string? ParseAddress(string token)
    {
        string host;
        var port = "1883";
        if (token.StartsWith('['))
        {
            var end = token.IndexOf("]:", StringComparison.Ordinal);
            if (end < 0)
            {
                return null;
            }

            (host, port) = (token[..(end + 1)], token[(end + 2)..]);
        }
        else if (token.Count(c => c == ':') > 1)
        {
            var last = token.LastIndexOf(':');
            (host, port) = ($"[{token[..last]}]", token[(last + 1)..]);
        }
        else if (token.IndexOf(':') is var colon and >= 0)
        {
            (host, port) = (token[..colon], token[(colon + 1)..]);
        }
        else
        {
            host = token;
        }

        return host.Length > 0 && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535
            ? $"{host}:{number}"
            : null;
    }

    private static void NotificationTopic(ConfigParseState state, ConfigLine line)
    {
        if (BridgeOf(state, line) is not { } bridge)
        {
            return;
        }

        var topic = ConfigValues.Word(state, line);
        if (!TopicName.IsValid(topic))
        {
            state.Error(line, $"'{topic}' is not a valid topic name");
            return;
        }

        bridge.NotificationTopic = topic;
    }

    private static void KeepAliveInterval(ConfigParseState state, ConfigLine line)
    {
        if (BridgeOf(state, line) is not { } bridge || !ConfigValues.TryInteger(state, line, 0, 65535, out var seconds))
        {
            return;
        }

        if (seconds < 5)
        {
            // Mosquitto raises it to its minimum as well.
            state.Warning(line, "the smallest keep-alive for a bridge is 5 seconds; 5 is used");
            seconds = 5;
        }

        bridge.KeepAliveInterval = (int)seconds;
    }

    private static void RestartTimeout(ConfigParseState state, ConfigLine line)
    {
        if (BridgeOf(state, line) is not { } bridge)
        {
            return;
        }

        var tokens = line.Tokens.TakeWhile(t => !t.StartsWith('#')).ToArray();
        var values = new List<int>();
        foreach (var token in tokens.Take(2))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
            {
                state.Error(line, $"'{token}' is not a positive whole number of seconds");
                return;
            }

            values.Add(seconds);
        }

        if (tokens.Length > 2)
        {
            state.Warning(line, $"only '{tokens[0]} {tokens[1]}' is used; the rest of the line is ignored");
        }

        // One value is a constant delay; two are the base and the cap of the back-off.
        var (first, cap) = values.Count == 1 ? (values[0], values[0]) : (values[0], values[1]);
        if (cap < first)
        {
            state.Error(line, $"the cap ({cap} s) is below the base ({first} s)");
            return;
        }

        (bridge.RestartTimeoutBase, bridge.RestartTimeoutCap) = (first, cap);
    }

    private static void Boolean(ConfigParseState state, ConfigLine line, Action<MosquittoBridge, bool> set)
    {
        if (BridgeOf(state, line) is { } bridge && ConfigValues.TryBoolean(state, line, out var value))
        {
            set(bridge, value);
        }
    }

    private static void Integer(ConfigParseState state, ConfigLine line, long min, long max, Action<MosquittoBridge, long> set)
    {
        if (BridgeOf(state, line) is { } bridge && ConfigValues.TryInteger(state, line, min, max, out var value))
        {
            set(bridge, value);
        }
    }

    private static void Keyword(ConfigParseState state, ConfigLine line, string[] allowed, Action<MosquittoBridge, string> set)
    {
        if (BridgeOf(state, line) is not { } bridge)
        {
            return;
        }

        var word = ConfigValues.Word(state, line);
        if (Array.IndexOf(allowed, word) < 0)
        {
            state.Error(line, $"'{word}' is not one of {string.Join(", ", allowed)}");
            return;
        }

        set(bridge, word);
    }

    /// <summary>Client ids, user names, passwords: the whole rest of the line, as Mosquitto reads strings.</summary>
    private static void Text(ConfigParseState state, ConfigLine line, Action<MosquittoBridge, string> set)
    {
        if (BridgeOf(state, line) is { } bridge && state.SetOnce(bridge, line))
        {
            set(bridge, line.Value);
        }
    }

    private static void FilePath(ConfigParseState state, ConfigLine line, Action<MosquittoBridge, string> set)
    {
        if (BridgeOf(state, line) is { } bridge && state.SetOnce(bridge, line))
        {
            set(bridge, ConfigValues.Path(state, line, line.Value));
        }
    }
}
