namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// The topic lines every bridge fixture has, one subtree per case, so tests of one fixture keep apart by topic:
/// <c>lo/</c> → <c>ro/</c> out at QoS 2, <c>li/</c> ← <c>ri/</c> in at QoS 2, <c>lb/</c> ↔ <c>rb/</c> both at QoS 1,
/// <c>l0/</c> → <c>r0/</c> out at QoS 0, and <c>same/#</c> out without remapping.
/// </summary>
public static class BridgeTopics
{
    public static readonly (string Pattern, string Direction, int Qos, string Local, string Remote)[] Native =
    [
        ("#", "out", 2, "lo/", "ro/"),
        ("#", "in", 2, "li/", "ri/"),
        ("#", "both", 1, "lb/", "rb/"),
        ("#", "out", 0, "l0/", "r0/"),
        ("same/#", "out", 1, "", ""),
    ];

    /// <summary>The same lines in mosquitto.conf syntax (<c>""</c> for an empty prefix).</summary>
    public static string Lines => string.Join('\n', Native.Select(t =>
        $"topic {t.Pattern} {t.Direction} {t.Qos} {Word(t.Local)} {Word(t.Remote)}"));

    private static string Word(string prefix) => prefix.Length == 0 ? "\"\"" : prefix;
}
