namespace MqttCluster.Core.Configuration;

/// <summary>Supported options that apply to the whole broker (authentication ones possibly per listener).</summary>
internal static class GeneralOptions
{
    /// <summary>MQTT's largest payload: 268,435,455 bytes, the Remaining Length limit [MQTT-1.5.5].</summary>
    private const long MaxPayload = 268_435_455;

    public static void Register(Dictionary<string, OptionHandler> table)
    {
        table["allow_anonymous"] = AllowAnonymous;
        table["password_file"] = (state, line) => SetSecurityPath(state, line, (s, path) => s.PasswordFile = path);
        table["acl_file"] = (state, line) => SetSecurityPath(state, line, (s, path) => s.AclFile = path);
        table["per_listener_settings"] = PerListenerSettings;
        table["persistence"] = Persistence;
        table["retained_persistence"] = Persistence; // an old alias Mosquitto still accepts
        table["persistence_location"] = PersistenceLocation;
        table["persistence_file"] = PersistenceFile;
        table["autosave_interval"] = AutosaveInterval;
        table["max_queued_messages"] = MaxQueuedMessages;
        table["queue_qos0_messages"] = (state, line) => SetBoolean(state, line, v => state.Config.QueueQos0Messages = v);
        table["connection_messages"] = (state, line) => SetBoolean(state, line, v => state.Config.ConnectionMessages = v);
        table["max_inflight_messages"] = MaxInflightMessages;
        table["message_size_limit"] = MessageSizeLimit;
        table["max_packet_size"] = MaxPacketSize;
        table["max_keepalive"] = (state, line) => SetInteger(state, line, 0, 65535, v => state.Config.MaxKeepAlive = (int)v);
        table["persistent_client_expiration"] = PersistentClientExpiration;
        table["upgrade_outgoing_qos"] = (state, line) => SetBoolean(state, line, v => state.Config.UpgradeOutgoingQos = v);
        table["retain_available"] = (state, line) => SetBoolean(state, line, v => state.Config.RetainAvailable = v);
        table["sys_interval"] = (state, line) =>
            SetInteger(state, line, 0, 65535, v => state.Config.SysInterval = TimeSpan.FromSeconds(v));
    }

    private static void SetBoolean(ConfigParseState state, ConfigLine line, Action<bool> set)
    {
        if (ConfigValues.TryBoolean(state, line, out var value))
        {
            set(value);
        }
    }

    private static void SetInteger(ConfigParseState state, ConfigLine line, long min, long max, Action<long> set)
    {
        if (ConfigValues.TryInteger(state, line, min, max, out var value))
        {
            set(value);
        }
    }

    private static void AllowAnonymous(ConfigParseState state, ConfigLine line)
    {
        if (ConfigValues.TryBoolean(state, line, out var value) && state.SecurityFor(line) is { } security)
        {
            security.AllowAnonymous = value;
        }
    }

    private static void SetSecurityPath(ConfigParseState state, ConfigLine line, Action<MosquittoSecurity, string> set)
    {
        if (state.SecurityFor(line) is { } security && state.SetOnce(security, line))
        {
            set(security, ConfigValues.Path(state, line, line.Value));
        }
    }

    private static void PerListenerSettings(ConfigParseState state, ConfigLine line)
    {
        if (!ConfigValues.TryBoolean(state, line, out var value))
        {
            return;
        }

        if (state.Config.PerListenerSettings)
        {
            // Mosquitto ignores any later per_listener_settings once it is true.
            if (!value)
            {
                state.Warning(line, "ignored: once per_listener_settings is true it cannot be turned off again");
            }

            return;
        }

        if (value && state.FirstSecurityLine is { } first)
        {
            state.Error(line, $"per_listener_settings must come before every security option (first one at {first.Location})");
            return;
        }

        state.Config.PerListenerSettings = value;
    }

    private static void Persistence(ConfigParseState state, ConfigLine line) =>
        SetBoolean(state, line, v => state.Config.Persistence = v);

    private static void PersistenceLocation(ConfigParseState state, ConfigLine line)
    {
        if (state.SetOnce(state.Config, line))
        {
            state.Config.PersistenceLocation = ConfigValues.Directory(state, line);
        }
    }

    private static void PersistenceFile(ConfigParseState state, ConfigLine line)
    {
        // A file name joined to persistence_location by Mosquitto, so it is kept as written.
        if (state.SetOnce(state.Config, line))
        {
            state.Config.PersistenceFile = line.Value;
        }
    }

    private static void AutosaveInterval(ConfigParseState state, ConfigLine line)
    {
        // Mosquitto treats a negative interval as 0 (save only on shutdown).
        if (ConfigValues.TryInteger(state, line, out var seconds))
        {
            state.Config.AutosaveInterval = TimeSpan.FromSeconds(Math.Max(0, seconds));
        }
    }

    private static void MaxQueuedMessages(ConfigParseState state, ConfigLine line)
    {
        // Negative means "no maximum" like 0, as in Mosquitto.
        if (ConfigValues.TryInteger(state, line, out var count))
        {
            state.Config.MaxQueuedMessages = (int)Math.Max(0, count);
        }
    }

    private static void MaxInflightMessages(ConfigParseState state, ConfigLine line)
    {
        // Mosquitto maps negative values and 65535 to 0 (no maximum) and refuses anything above 65535.
        if (ConfigValues.TryInteger(state, line, long.MinValue, 65535, out var count))
        {
            state.Config.MaxInflightMessages = count is < 0 or 65535 ? 0 : (int)count;
        }
    }

    private static void MessageSizeLimit(ConfigParseState state, ConfigLine line)
    {
        if (ConfigValues.TryInteger(state, line, 0, MaxPayload, out var bytes))
        {
            state.Config.MessageSizeLimit = bytes;
        }
    }

    private static void MaxPacketSize(ConfigParseState state, ConfigLine line)
    {
        // Mosquitto refuses less than 20 bytes: a CONNECT alone needs about that much.
        if (ConfigValues.TryInteger(state, line, 20, int.MaxValue, out var bytes))
        {
            state.Config.MaxPacketSize = bytes;
        }
    }

    private static void PersistentClientExpiration(ConfigParseState state, ConfigLine line)
    {
        if (ConfigValues.TryDuration(state, line, out var expiration))
        {
            state.Config.PersistentClientExpiration = expiration;
        }
    }
}
