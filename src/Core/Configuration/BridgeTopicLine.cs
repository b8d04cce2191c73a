using System.Globalization;
using MqttCluster.Core.Bridges;

namespace MqttCluster.Core.Configuration;

/// <summary>
/// <c>topic pattern [[[out|in|both] qos-level] local-prefix remote-prefix]</c>, read as Mosquitto reads it: words
/// split on blanks, <c>""</c> stands for an empty pattern or prefix, the direction in any letter case. An empty
/// pattern needs both prefixes (it maps one topic to another); prefixes hold no wildcards.
/// </summary>
internal static class BridgeTopicLine
{
    private const string Empty = "\"\"";

    public static void Parse(ConfigParseState state, ConfigLine line)
    {
        if (BridgeSectionOptions.BridgeOf(state, line) is not { } bridge)
        {
            return;
        }

        var words = line.Tokens;
        if (words.Length > 5)
        {
            state.Warning(line, $"only the first five words are used; '{string.Join(' ', words[5..])}' is ignored");
        }

        var pattern = words[0] == Empty ? "" : words[0];
        var direction = words.Length > 1 ? words[1].ToLowerInvariant() : "out";
        if (direction is not ("out" or "in" or "both"))
        {
            state.Error(line, $"'{words[1]}' is not a direction: use out, in or both");
            return;
        }

        var qos = 0;
        if (words.Length > 2 && !(int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out qos) && qos <= 2))
        {
            state.Error(line, $"'{words[2]}' is not a QoS level: use 0, 1 or 2");
            return;
        }

        var localPrefix = words.Length > 3 && words[3] != Empty ? words[3] : "";
        var remotePrefix = words.Length > 4 && words[4] != Empty ? words[4] : "";
        if (BridgeTopicRoute.Problem(pattern, localPrefix, remotePrefix) is { } problem)
        {
            state.Error(line, problem);
            return;
        }

        bridge.Topics.Add(new MosquittoBridgeTopic(pattern, direction, qos, localPrefix, remotePrefix, line.Number));
    }
}
