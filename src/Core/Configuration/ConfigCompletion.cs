namespace MqttCluster.Core.Configuration;

/// <summary>
/// What can only be decided once every line is read: which listeners exist (Mosquitto 2's default listener and
/// local-only mode), checks across a listener section, and the Mosquitto 1.x anonymous-access hint.
/// </summary>
internal static class ConfigCompletion
{
    public static MosquittoConfig Complete(ConfigParseState state)
    {
        var config = state.Config;
        AddDefaultListener(state);
        if (config.ListenerList.Count == 0)
        {
            // Mosquitto 2 with no listener: port 1883 on 127.0.0.1 and ::1, anonymous allowed. Line 0: no line made it.
            config.ListenerList.Add(new MosquittoListener(ListenerOrigin.LocalOnly, 1883, "127.0.0.1", config.FileList[0], 0));
        }

        foreach (var listener in config.ListenerList)
        {
            CheckTls(state, listener);
        }

        CheckDuplicates(state);
        BridgeCompletion.Check(state);
        HintAnonymousAccess(state);
        return config;
    }

    private static void AddDefaultListener(ConfigParseState state)
    {
        // Mosquitto opens its default listener when port or bind_address is set, or when an option before the
        // first listener line changed it; it is the last listener in Mosquitto's list, so it is here too.
        if ((state.DefaultListenerExplicitLine ?? state.DefaultListenerImpliedLine) is not { } first)
        {
            return;
        }

        var listener = state.DefaultListener;
        (listener.File, listener.Line) = (first.File, first.Number);
        state.Config.ListenerList.Add(listener);
        if (state.DefaultListenerExplicitLine is null && state.DefaultListenerImpliedLine is { } implied)
        {
            state.Warning(implied, $"written before any 'listener' line, so it configures Mosquitto's default listener, "
                + $"which then listens on port {listener.Port} on every address. Mosquitto 2 would also let anonymous "
                + "clients in there; this broker does not unless allow_anonymous is true. If the option was meant for "
                + "a listener, move it after that listener's line");
        }
    }

    private static void CheckTls(ConfigParseState state, MosquittoListener listener)
    {
        var lines = listener.OptionLines;
        if (listener.RequireCertificate && listener.CertFile is null)
        {
            // Without TLS no client certificate can be asked for, so the listener would be open to all.
            state.Error(lines["require_certificate"], "require_certificate needs TLS on this listener: add certfile and keyfile");
        }

        if ((listener.CertFile is null) != (listener.KeyFile is null))
        {
            var given = listener.CertFile is null ? lines["keyfile"] : lines["certfile"];
            state.Error(given, "certfile and keyfile must be given together to turn TLS on");
        }

        if (listener.CaFile is not null && listener.CertFile is null)
        {
            state.Warning(lines["cafile"], "has no effect without certfile and keyfile");
        }

        if (listener.CrlFile is not null && listener.CaFile is null)
        {
            // Without cafile no client certificate is checked, so nothing would be checked against the list.
            state.Error(lines["crlfile"], "crlfile needs cafile (the CA whose client certificates it revokes) on this listener");
        }

        if (listener.UseSubjectAsUsername && listener.UseIdentityAsUsername)
        {
            state.Error(lines["use_subject_as_username"], "use_identity_as_username and use_subject_as_username exclude each other");
        }
    }

    private static void CheckDuplicates(ConfigParseState state)
    {
        var seen = new Dictionary<(int Port, string? Address), MosquittoListener>();
        foreach (var listener in state.Config.ListenerList)
        {
            if (seen.TryGetValue((listener.Port, listener.BindAddress), out var first))
            {
                state.Config.DiagnosticList.Add(new ConfigDiagnostic(ConfigSeverity.Error, listener.File, listener.Line,
                    "listener", $"port {listener.Port} on {listener.BindAddress ?? "every address"} is already used by the listener at {first.File}:{first.Line}"));
            }
            else
            {
                seen.Add((listener.Port, listener.BindAddress), listener);
            }
        }
    }

    /// <summary>
    /// Mosquitto 1.x let anonymous clients in unless another security option was set; Mosquitto 2 refuses them as
    /// soon as a listener is configured. A 1.x configuration without allow_anonymous or password_file therefore
    /// admits nobody; say which line restores the old behaviour.
    /// </summary>
    private static void HintAnonymousAccess(ConfigParseState state)
    {
        var config = state.Config;
        if (config.LocalOnly)
        {
            return;
        }

        foreach (var listener in config.ListenerList)
        {
            var security = config.SecurityFor(listener);
            if (security.AllowAnonymous is not null || security.PasswordFile is not null || security.DynamicSecurity
                || (listener.RequireCertificate && (listener.UseIdentityAsUsername || listener.UseSubjectAsUsername)))
            {
                continue;
            }

            var where = config.PerListenerSettings
                ? $"to this listener's section (after {listener.File}:{listener.Line})"
                : $"to {config.FileList[0]}";
            config.DiagnosticList.Add(new ConfigDiagnostic(ConfigSeverity.Warning, listener.File, listener.Line,
                "allow_anonymous", $"no client can connect to {listener}: there is no password_file, and Mosquitto 2 "
                + "refuses anonymous clients unless allowed (Mosquitto 1.x allowed them by default). To allow them, "
                + $"add the line 'allow_anonymous true' {where}"));
            if (!config.PerListenerSettings)
            {
                return; // one global setting fixes every listener, so one hint is enough
            }
        }
    }
}
