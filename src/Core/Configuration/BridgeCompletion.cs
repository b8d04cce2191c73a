namespace MqttCluster.Core.Configuration;

/// <summary>Checks of a bridge section that need all of its lines: what Mosquitto refuses at start.</summary>
internal static class BridgeCompletion
{
    public static void Check(ConfigParseState state)
    {
        var localIds = new Dictionary<string, MosquittoBridge>(StringComparer.Ordinal);
        foreach (var bridge in state.Config.BridgeList)
        {
            if (bridge.Addresses.Count == 0)
            {
                Error(state, bridge, bridge.Line, "connection", "the bridge has no address: add 'address host[:port]'");
            }

            if (bridge.Topics.Count == 0)
            {
                Warning(state, bridge, bridge.Line, "connection", "the bridge has no 'topic' line, so it exchanges no messages");
            }

            if (bridge.RemotePassword is not null && bridge.RemoteUsername is null)
            {
                Error(state, bridge, Line(bridge, "remote_password", "password"), "remote_password", "needs remote_username as well");
            }

            if ((bridge.CertFile is null) != (bridge.KeyFile is null))
            {
                var given = bridge.CertFile is null ? "bridge_keyfile" : "bridge_certfile";
                Error(state, bridge, Line(bridge, given), given, "bridge_certfile and bridge_keyfile must be given together");
            }

            if (bridge.CertFile is not null && bridge.CaFile is null && bridge.CaPath is null)
            {
                Error(state, bridge, Line(bridge, "bridge_certfile"), "bridge_certfile", "TLS for a bridge needs bridge_cafile (or bridge_capath) as well");
            }

            if (bridge.LocalClientId is { } id)
            {
                if (localIds.TryGetValue(id, out var other))
                {
                    Error(state, bridge, Line(bridge, "local_clientid"), "local_clientid", $"'{id}' is also the local_clientid of {other}");
                }

                localIds[id] = bridge;
            }
        }
    }

    private static int Line(MosquittoBridge bridge, params string[] options)
    {
        foreach (var option in options)
        {
            if (bridge.OptionLines.TryGetValue(option, out var line))
            {
                return line;
            }
        }

        return bridge.Line;
    }

    // The section's lines may come from one file only (each file starts outside any section).
    private static void Error(ConfigParseState state, MosquittoBridge bridge, int line, string option, string message) =>
        state.Config.DiagnosticList.Add(new ConfigDiagnostic(ConfigSeverity.Error, bridge.File, line, option, message));

    private static void Warning(ConfigParseState state, MosquittoBridge bridge, int line, string option, string message) =>
        state.Config.DiagnosticList.Add(new ConfigDiagnostic(ConfigSeverity.Warning, bridge.File, line, option, message));
}
