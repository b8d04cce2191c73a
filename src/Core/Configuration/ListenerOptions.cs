using System.Globalization;

namespace MqttCluster.Core.Configuration;

/// <summary>
/// <c>listener</c>, the deprecated default-listener options <c>port</c> and <c>bind_address</c>, and the supported
/// options of a listener section.
/// </summary>
internal static class ListenerOptions
{
    public static void Register(Dictionary<string, OptionHandler> table)
    {
        table["listener"] = Listener;
        table["port"] = Port;
        table["bind_address"] = BindAddress;
        table["protocol"] = Protocol;
        table["certfile"] = (state, line) => SetPath(state, line, (l, path) => l.CertFile = path);
        table["keyfile"] = (state, line) => SetPath(state, line, (l, path) => l.KeyFile = path);
        table["cafile"] = (state, line) => SetPath(state, line, (l, path) => l.CaFile = path);
        table["crlfile"] = (state, line) => SetPath(state, line, (l, path) => l.CrlFile = path);
        table["require_certificate"] = (state, line) => SetBoolean(state, line, (l, v) => l.RequireCertificate = v);
        table["use_identity_as_username"] = (state, line) => SetBoolean(state, line, (l, v) => l.UseIdentityAsUsername = v);
        table["use_subject_as_username"] = (state, line) => SetBoolean(state, line, (l, v) => l.UseSubjectAsUsername = v);
        table["mount_point"] = MountPoint;
        table["max_qos"] = MaxQos;
        table["maximum_qos"] = MaxQos; // the name the MQTT 5 property has; Mosquitto's is max_qos
        table["max_connections"] = MaxConnections;
        table["socket_domain"] = SocketDomain;
    }

    private static void Listener(ConfigParseState state, ConfigLine line)
    {
        // Mosquitto ignores the address if it starts with '#', which makes "listener 1883 # comment" work.
        var tokens = line.Tokens.TakeWhile(t => !t.StartsWith('#')).ToArray();
        var address = tokens.Length > 1 ? tokens[1] : null;
        if (tokens.Length > 2)
        {
            state.Warning(line, $"only the port and the address are used; '{string.Join(' ', tokens[2..])}' is ignored");
        }

        if (tokens.Length == 0 || !int.TryParse(tokens[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            state.Error(line, $"'{line.Tokens[0]}' is not a port: use a number from 1 to 65535");
            return;
        }

        if (port == 0)
        {
            // "listener 0 /path" is a Unix domain socket in Mosquitto; refusing it beats silently not listening.
            state.Error(line, address is null
                ? "port 0 means a Unix socket in Mosquitto and needs its path"
                : "Unix socket listeners are not supported: use a TCP port");
            return;
        }

        var listener = new MosquittoListener(ListenerOrigin.ListenerLine, port, address, line.File, line.Number);
        state.Config.ListenerList.Add(listener);
        state.CurrentListener = listener;
    }

    private static void Port(ConfigParseState state, ConfigLine line)
    {
        // Deprecated in Mosquitto 2: "port N" is the default listener's port, wherever the line is, and that
        // listener binds every address unless bind_address says otherwise. A repeat overrides (Mosquitto warns).
        if (!ConfigValues.TryInteger(state, line, 1, 65535, out var port))
        {
            return;
        }

        if (state.DefaultListenerPortLine is { } first)
        {
            state.Warning(line, $"the default listener's port was already set at {first.Location}; this one replaces it");
        }

        state.DefaultListenerPortLine = line;
        state.DefaultListenerExplicitLine ??= line;
        state.DefaultListener.Port = (int)port;
    }

    private static void BindAddress(ConfigParseState state, ConfigLine line)
    {
        // Deprecated too; applies to the default listener only, never to listener sections. The value is the
        // rest of the line, so "127.0.0.1 # lan" is one (unresolvable) name, which Mosquitto refuses as well.
        if (line.Tokens.Length > 1)
        {
            state.Error(line, $"'{line.Value}' is not an address or host name");
            return;
        }

        if (!state.SetOnce(state.DefaultListener, line))
        {
            return;
        }

        state.DefaultListenerExplicitLine ??= line;
        state.DefaultListener.BindAddress = line.Value;
        if (state.CurrentListener is not null)
        {
            state.Warning(line, "bind_address applies to the default listener (the 'port' one, else 1883), not to "
                + $"the listener section it is in; to bind that listener, put the address on its line ({state.CurrentListener.File}:{state.CurrentListener.Line})");
        }
    }

    private static void Protocol(ConfigParseState state, ConfigLine line)
    {
        var word = ConfigValues.Word(state, line);
        ListenerProtocol? protocol = word switch
        {
            "mqtt" => ListenerProtocol.Mqtt,
            "websockets" => ListenerProtocol.WebSockets,
            _ => null,
        };
        if (protocol is null)
        {
            state.Error(line, $"'{word}' is not a protocol: use mqtt or websockets");
            return;
        }

        Remember(state.ListenerFor(line, protocol != ListenerProtocol.Mqtt), line).Protocol = protocol.Value;
    }

    private static void SetPath(ConfigParseState state, ConfigLine line, Action<MosquittoListener, string> set)
    {
        var listener = state.ListenerFor(line, changesDefault: true);
        if (state.SetOnce(listener, line))
        {
            set(Remember(listener, line), ConfigValues.Path(state, line, line.Value));
        }
    }

    private static void SetBoolean(ConfigParseState state, ConfigLine line, Action<MosquittoListener, bool> set)
    {
        if (ConfigValues.TryBoolean(state, line, out var value))
        {
            set(Remember(state.ListenerFor(line, value), line), value);
        }
    }

    private static void MaxConnections(ConfigParseState state, ConfigLine line)
    {
        // Any negative value means unlimited, stored as -1 like Mosquitto.
        if (ConfigValues.TryInteger(state, line, out var count))
        {
            var limit = (int)Math.Max(-1, count);
            Remember(state.ListenerFor(line, limit != -1), line).MaxConnections = limit;
        }
    }

    private static void MountPoint(ConfigParseState state, ConfigLine line)
    {
        // Mosquitto accepts mount_point only in a listener section, and only as a topic name (no wildcards).
        if (state.CurrentListener is not { } listener)
        {
            state.Error(line, "belongs to a listener: move it after the 'listener' line it is meant for");
            return;
        }

        if (line.Value.Length == 0 || line.Value.Contains('+') || line.Value.Contains('#') || line.Value.Contains('\0'))
        {
            state.Error(line, $"'{line.Value}' is not a topic prefix: a mount point is a topic name without wildcards");
            return;
        }

        if (state.SetOnce(listener, line))
        {
            Remember(listener, line).MountPoint = line.Value;
        }
    }

    private static void MaxQos(ConfigParseState state, ConfigLine line)
    {
        if (ConfigValues.TryInteger(state, line, 0, 2, out var qos))
        {
            Remember(state.ListenerFor(line, qos != 2), line).MaxQos = (byte)qos;
        }
    }

    private static void SocketDomain(ConfigParseState state, ConfigLine line)
    {
        var word = ConfigValues.Word(state, line);
        if (word is not ("ipv4" or "ipv6"))
        {
            state.Error(line, $"'{word}' is not a socket domain: use ipv4 or ipv6");
            return;
        }

        // Listening on both families as well is harmless: the address restriction still holds.
        state.Warning(line, "not supported; the listener uses IPv4 and IPv6 as its address allows");
    }

    private static MosquittoListener Remember(MosquittoListener listener, ConfigLine line)
    {
        listener.OptionLines[line.Name] = line;
        return listener;
    }
}
