namespace MqttCluster.Core.Configuration;

/// <summary><c>log_dest</c> and <c>log_type</c>: one value per line, lines add up, <c>none</c> clears.</summary>
internal static class LoggingOptions
{
    private static readonly Dictionary<string, MosquittoLogDestinations> Destinations = new(StringComparer.Ordinal)
    {
        ["none"] = MosquittoLogDestinations.None,
        ["stdout"] = MosquittoLogDestinations.Stdout,
        ["stderr"] = MosquittoLogDestinations.Stderr,
        ["syslog"] = MosquittoLogDestinations.Syslog,
        ["topic"] = MosquittoLogDestinations.Topic,
        ["file"] = MosquittoLogDestinations.File,
    };

    private static readonly Dictionary<string, MosquittoLogTypes> Types = new(StringComparer.Ordinal)
    {
        ["none"] = MosquittoLogTypes.None,
        ["all"] = MosquittoLogTypes.All,
        ["error"] = MosquittoLogTypes.Error,
        ["warning"] = MosquittoLogTypes.Warning,
        ["notice"] = MosquittoLogTypes.Notice,
        ["information"] = MosquittoLogTypes.Information,
        ["debug"] = MosquittoLogTypes.Debug,
        ["subscribe"] = MosquittoLogTypes.Subscribe,
        ["unsubscribe"] = MosquittoLogTypes.Unsubscribe,
        ["websockets"] = MosquittoLogTypes.WebSockets,
        ["internal"] = MosquittoLogTypes.Internal,
    };

    public static void Register(Dictionary<string, OptionHandler> table)
    {
        table["log_dest"] = LogDest;
        table["log_type"] = LogType;
    }

    private static void LogDest(ConfigParseState state, ConfigLine line)
    {
        var tokens = line.Tokens;
        var kind = tokens[0];
        if (kind == "dlt")
        {
            // Valid in Mosquitto (automotive Diagnostic Log and Trace) but not available here; other
            // destinations still get the log.
            state.Warning(line, "log_dest dlt is not supported; ignored");
            return;
        }

        if (!Destinations.TryGetValue(kind, out var destination))
        {
            state.Error(line, $"'{kind}' is not a log destination: use stdout, stderr, syslog, topic, file PATH or none");
            return;
        }

        if (destination == MosquittoLogDestinations.File)
        {
            var path = line.Value[kind.Length..].Trim();
            if (path.Length == 0)
            {
                state.Error(line, "log_dest file needs a path: log_dest file /var/log/mosquitto/mosquitto.log");
                return;
            }

            // Only one log file is possible; Mosquitto refuses a second one.
            if (state.LogFileLine is { } first)
            {
                state.Error(line, $"only one log file is possible; one was already given at {first.Location}");
                return;
            }

            state.LogFileLine = line;
            state.Config.LogFile = ConfigValues.Path(state, line, path);
        }
        else
        {
            _ = ConfigValues.Word(state, line);
        }

        // The first log_dest line replaces the default (stderr); later ones add to it, and none clears.
        var current = state.LogDestinationsSet ? state.Config.LogDestinations : MosquittoLogDestinations.None;
        state.LogDestinationsSet = true;
        state.Config.LogDestinations = destination == MosquittoLogDestinations.None ? destination : current | destination;
    }

    private static void LogType(ConfigParseState state, ConfigLine line)
    {
        var tokens = line.Tokens;
        if (!Types.TryGetValue(tokens[0], out var type))
        {
            state.Error(line, $"'{tokens[0]}' is not a log type: use debug, error, warning, notice, information, "
                + "subscribe, unsubscribe, websockets, internal, all or none");
            return;
        }

        if (tokens.Length > 1 && !tokens[1].StartsWith('#'))
        {
            // A common mistake: Mosquitto takes one type per line and silently drops the rest.
            state.Warning(line, $"only '{tokens[0]}' is used: write one log_type line per type");
        }

        var current = state.LogTypesSet ? state.Config.LogTypes : MosquittoLogTypes.None;
        state.LogTypesSet = true;
        state.Config.LogTypes = type is MosquittoLogTypes.None or MosquittoLogTypes.All ? type : current | type;
    }
}
