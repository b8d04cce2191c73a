namespace MqttCluster.Core.Configuration;

/// <summary>
/// Every other option Mosquitto 2 knows (2.0 and 2.1), reported as not supported. Severity follows one rule:
/// <see cref="ConfigSeverity.Error"/> when ignoring the line would let in clients Mosquitto refuses, weaken TLS
/// or authentication,; <see cref="ConfigSeverity.Warning"/> otherwise.
/// </summary>
internal static class UnsupportedOptions
{
    private const ConfigSeverity W = ConfigSeverity.Warning;
    private const ConfigSeverity E = ConfigSeverity.Error;

    private static readonly Dictionary<string, (ConfigSeverity Severity, string Reason)> Options = new(StringComparer.Ordinal)
    {
        // Authentication and access control beyond password_file/acl_file: ignoring them would let clients in.
        ["auth_plugin"] = (E, "authentication plugins are not supported; without it clients the plugin refuses would get in"),
        ["plugin"] = (E, "plugins (e.g. dynamic security) are not supported; without it clients the plugin refuses would get in"),
        ["global_plugin"] = (E, "plugins are not supported; without it clients the plugin refuses would get in"),
        ["auth_plugin_deny_special_chars"] = (E, "belongs to an authentication plugin, which is not supported"),
        ["psk_hint"] = (E, "TLS with pre-shared keys is not supported; the listener cannot be secured as configured"),
        ["psk_file"] = (E, "TLS with pre-shared keys is not supported; the listener cannot be secured as configured"),
        ["use_username_as_clientid"] = (E, "not supported; without it a client could take over another client's id"),
        ["clientid_prefixes"] = (E, "not supported; without it clients with any client id could connect"),
        ["accept_protocol_versions"] = (E, "not supported; without it clients of every MQTT version could connect"),
        ["bind_interface"] = (E, "not supported; the listener would accept connections on every interface: use an address on the listener line"),
        ["websockets_origin"] = (E, "not supported; browsers from any origin could connect"),

        // TLS details: ignoring them would allow weaker TLS or other client certificates than configured.
        ["capath"] = (E, "a CA directory is not supported; put the certificates in one cafile"),
        ["ciphers"] = (E, "cipher lists are not supported; ignoring it could allow ciphers you excluded"),
        ["ciphers_tls1.3"] = (E, "cipher lists are not supported; ignoring it could allow ciphers you excluded"),
        ["tls_version"] = (E, "not supported; ignoring it could allow an older TLS version than you require"),
        ["tls_engine"] = (E, "OpenSSL engines are not supported; the key cannot be loaded as configured"),
        ["tls_engine_kpass_sha1"] = (E, "OpenSSL engines are not supported; the key cannot be loaded as configured"),
        ["tls_keyform"] = (E, "OpenSSL engines are not supported; the key cannot be loaded as configured"),
        ["dhparamfile"] = (W, "not supported; the TLS stack chooses the key exchange parameters"),

        // Harmless to ignore: process management, logging details, tuning and resource limits.
        ["user"] = (W, "not supported; run the service as the user it should be (see the systemd unit)"),
        ["pid_file"] = (W, "not supported; systemd tracks the process"),
        ["log_facility"] = (W, "not supported; ignored"),
        ["log_timestamp"] = (W, "not supported; the broker's logger formats timestamps"),
        ["log_timestamp_format"] = (W, "not supported; the broker's logger formats timestamps"),
        ["websockets_log_level"] = (W, "not supported; ignored"),
        ["websockets_headers_size"] = (W, "not supported; ignored"),
        ["quic_log_level"] = (W, "not supported; ignored"),
        ["autosave_on_changes"] = (W, "not supported; ignored"),
        ["set_tcp_nodelay"] = (W, "not supported; ignored"),
        ["allow_duplicate_messages"] = (W, "deprecated in Mosquitto and not supported; ignored"),
        ["retry_interval"] = (W, "no longer has an effect in Mosquitto either; ignored"),
        ["check_retain_source"] = (W, "not supported; ignored"),
        ["auto_id_prefix"] = (W, "not supported; generated client ids use the broker's own prefix"),
        ["memory_limit"] = (W, "not supported; limit memory with the runtime's heap limit instead"),
        ["max_inflight_bytes"] = (W, "not supported; max_inflight_messages still applies"),
        ["max_queued_bytes"] = (W, "not supported; max_queued_messages still applies"),
        ["max_topic_alias"] = (W, "not supported per listener; the broker's Mqtt:TopicAliasMaximum applies"),
        ["max_topic_alias_broker"] = (W, "not supported; ignored"),
        ["global_max_clients"] = (W, "not supported; ignored"),
        ["global_max_connections"] = (W, "not supported; ignored"),
        ["enable_control_api"] = (W, "not supported; ignored"),
        ["http_dir"] = (W, "serving files over HTTP is not supported; WebSocket connections still work"),
    };

    public static void Register(Dictionary<string, OptionHandler> table)
    {
        foreach (var (name, (severity, reason)) in Options)
        {
            table[name] = (state, line) => state.Report(severity, line, reason);
        }

        // Their default value is harmless to ignore; only the other value changes who may connect.
        table["allow_zero_length_clientid"] = (state, line) => ValueDependent(state, line, harmless: true,
            "not supported; clients without a client id would still be given one");
        table["disable_client_cert_date_checks"] = (state, line) => ValueDependent(state, line, harmless: false,
            "not supported; expired client certificates would be refused");
    }

    /// <summary><c>auth_opt_*</c> and <c>plugin_opt_*</c>: options passed to a plugin.</summary>
    public static bool IsPluginOption(string name) =>
        name.StartsWith("auth_opt_", StringComparison.Ordinal) || name.StartsWith("plugin_opt_", StringComparison.Ordinal);

    public static void PluginOption(ConfigParseState state, ConfigLine line) =>
        state.Error(line, "belongs to a plugin, and plugins are not supported");

    private static void ValueDependent(ConfigParseState state, ConfigLine line, bool harmless, string reason)
    {
        if (ConfigValues.TryBoolean(state, line, out var value))
        {
            state.Report(value == harmless ? ConfigSeverity.Warning : ConfigSeverity.Error, line, reason);
        }
    }
}
