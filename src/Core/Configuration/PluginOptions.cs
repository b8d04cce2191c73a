namespace MqttCluster.Core.Configuration;

/// <summary>
/// <c>plugin</c> lines: Mosquitto's dynamic-security plugin (<c>mosquitto_dynamic_security.so</c>) is served
/// natively, with its <c>plugin_opt_config_file</c>; any other plugin is refused, since ignoring it would let in
/// clients it refuses.
/// </summary>
internal static class PluginOptions
{
    private const string DynamicSecurityLibrary = "mosquitto_dynamic_security";

    public static void Register(Dictionary<string, OptionHandler> table)
    {
        table["plugin"] = Plugin;
        table["global_plugin"] = Plugin;
        table["plugin_opt_config_file"] = ConfigFile;
    }

    /// <summary>Other <c>plugin_opt_*</c>/<c>auth_opt_*</c>: for the dynamic-security plugin they change nothing here.</summary>
    public static void PluginOption(ConfigParseState state, ConfigLine line)
    {
        if (line.Name.StartsWith("plugin_opt_", StringComparison.Ordinal) && state.SecurityFor(line) is { DynamicSecurity: true })
        {
            state.Report(ConfigSeverity.Warning, line, "is not used by the dynamic-security plugin here; ignored");
            return;
        }

        UnsupportedOptions.PluginOption(state, line);
    }

    private static void Plugin(ConfigParseState state, ConfigLine line)
    {
        if (!Path.GetFileNameWithoutExtension(line.Value).StartsWith(DynamicSecurityLibrary, StringComparison.Ordinal))
        {
            state.Error(line, "plugins other than dynamic security are not supported; without it clients the plugin refuses would get in");
            return;
        }

        if (state.SecurityFor(line) is { } security)
        {
            security.DynamicSecurity = true;
        }
    }

    private static void ConfigFile(ConfigParseState state, ConfigLine line)
    {
        if (state.SecurityFor(line) is not { DynamicSecurity: true } security)
        {
            UnsupportedOptions.PluginOption(state, line);
            return;
        }

        if (state.SetOnce(security, line))
        {
            security.DynamicSecurityFile = ConfigValues.Path(state, line, line.Value);
        }
    }
}
