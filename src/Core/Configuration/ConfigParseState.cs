namespace MqttCluster.Core.Configuration;

/// <summary>What the parser knows while it walks the lines of the main file and its included files.</summary>
internal sealed class ConfigParseState
{
    private readonly Dictionary<(object Scope, string Option), ConfigLine> _setOnce = [];

    public MosquittoConfig Config { get; } = new();

    /// <summary>The section opened by the last <c>listener</c> line; null before the first one.</summary>
    public MosquittoListener? CurrentListener { get; set; }

    /// <summary>
    /// Mosquitto's default listener. Options before the first <c>listener</c> line write into it; it is opened only
    /// if <see cref="DefaultListenerExplicitLine"/> or <see cref="DefaultListenerImpliedLine"/> is set.
    /// </summary>
    public MosquittoListener DefaultListener { get; } = new(ListenerOrigin.DefaultListener, 1883, null, "", 0);

    /// <summary>First <c>port</c> or <c>bind_address</c> line: the user asked for the default listener.</summary>
    public ConfigLine? DefaultListenerExplicitLine { get; set; }

    /// <summary>The last <c>port</c> line (a repeat replaces it).</summary>
    public ConfigLine? DefaultListenerPortLine { get; set; }

    /// <summary>First listener option before any <c>listener</c> line that changed the default listener.</summary>
    public ConfigLine? DefaultListenerImpliedLine { get; set; }

    /// <summary>First security option, which <c>per_listener_settings</c> must precede.</summary>
    public ConfigLine? FirstSecurityLine { get; set; }

    /// <summary>The open bridge section (<c>connection NAME</c>); null before the first one.</summary>
    public MosquittoBridge? CurrentBridge { get; set; }

    /// <summary>A <c>log_dest</c> / <c>log_type</c> line was seen, so the defaults no longer apply.</summary>
    public bool LogDestinationsSet { get; set; }

    public bool LogTypesSet { get; set; }

    /// <summary>The <c>log_dest file</c> line; Mosquitto allows one.</summary>
    public ConfigLine? LogFileLine { get; set; }

    public void Error(ConfigLine line, string message) => Report(ConfigSeverity.Error, line, message);

    public void Warning(ConfigLine line, string message) => Report(ConfigSeverity.Warning, line, message);

    public void Report(ConfigSeverity severity, ConfigLine line, string message) =>
        Config.DiagnosticList.Add(new ConfigDiagnostic(severity, line.File, line.Number, line.Name, message));

    /// <summary>
    /// Mosquitto refuses a second value for a single-valued text option (e.g. two <c>password_file</c> lines)
    /// instead of letting the last one win; so do we. Returns false (and reports) on a repeat.
    /// </summary>
    public bool SetOnce(object scope, ConfigLine line)
    {
        if (_setOnce.TryGetValue((scope, line.Name), out var first))
        {
            Error(line, $"duplicate value; it was already set at {first.Location} (Mosquitto refuses this too)");
            return false;
        }

        _setOnce[(scope, line.Name)] = line;
        return true;
    }

    /// <summary>
    /// The listener a listener option applies to: the current section, or Mosquitto's default listener before the
    /// first <c>listener</c> line. <paramref name="changesDefault"/> says whether the value differs from the
    /// option's default, which is what makes Mosquitto open the default listener.
    /// </summary>
    public MosquittoListener ListenerFor(ConfigLine line, bool changesDefault)
    {
        if (CurrentListener is not null)
        {
            return CurrentListener;
        }

        if (changesDefault)
        {
            DefaultListenerImpliedLine ??= line;
        }

        return DefaultListener;
    }

    /// <summary>
    /// Where a security option goes: global, or the current listener with <c>per_listener_settings true</c>.
    /// Null (after reporting an error) when it is per listener but no listener section is open.
    /// </summary>
    public MosquittoSecurity? SecurityFor(ConfigLine line)
    {
        FirstSecurityLine ??= line;
        if (!Config.PerListenerSettings)
        {
            return Config.Security;
        }

        if (CurrentListener is null)
        {
            // Mosquitto would attach it to the deprecated default listener (port 1883, every address), which is
            // almost never what was meant; refusing makes the user say which listener it is for.
            Error(line, "with per_listener_settings true this option belongs to a listener: move it after the "
                + "'listener' line it is meant for");
            return null;
        }

        return CurrentListener.Security;
    }
}
