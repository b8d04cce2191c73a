using System.Globalization;

namespace MqttCluster.Core.Telemetry;

/// <summary>
/// The <c>$SYS</c> topics, named as Mosquitto names them where it has the value: cluster-wide values under
/// <c>$SYS/broker/...</c>, each node's own under <c>$SYS/broker/nodes/{node}/...</c>.
/// </summary>
public static class SysTopics
{
    public const string Root = "$SYS/broker";

    public static string VersionText { get; } =
        $"mqtt-cluster version {typeof(SysTopics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    /// <summary>Topics under <c>$SYS</c> are the broker's to publish; clients may only read them (as in Mosquitto).</summary>
    public static bool IsReserved(string topic) =>
        topic.StartsWith("$SYS", StringComparison.Ordinal) && (topic.Length == 4 || topic[4] == '/');

    public static string NodeRoot(string node) => $"{Root}/nodes/{node}";

    /// <summary>A node name usable as one topic level: no '/', '+', '#' and not empty.</summary>
    public static string NodeLevel(string name)
    {
        var level = string.Concat(name.Select(c => c is '/' or '+' or '#' || char.IsControl(c) ? '_' : c));
        return level.Length == 0 ? "_" : level;
    }

    /// <summary>Every topic of the tree under <paramref name="root"/> with its payload, as Mosquitto formats it.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Describe(string root, SysValues values)
    {
        yield return Value(root, "version", VersionText);
        yield return Value(root, "uptime", $"{Number((long)values.Uptime.TotalSeconds)} seconds");
        yield return Value(root, "clients/connected", Number(values.ClientsConnected));
        yield return Value(root, "clients/maximum", Number(values.ClientsMaximum));
        yield return Value(root, "messages/received", Number(values.Totals.MessagesReceived));
        yield return Value(root, "messages/sent", Number(values.Totals.MessagesSent));
        yield return Value(root, "publish/messages/received", Number(values.Totals.MessagesReceived));
        yield return Value(root, "publish/messages/sent", Number(values.Totals.MessagesSent));
        yield return Value(root, "publish/messages/dropped", Number(values.Totals.MessagesDropped));
        yield return Value(root, "bytes/received", Number(values.Totals.BytesReceived));
        yield return Value(root, "bytes/sent", Number(values.Totals.BytesSent));
        yield return Value(root, "subscriptions/count", Number(values.Subscriptions));
        foreach (var load in Loads(root, "load/messages/received", values.Load.MessagesReceived)
            .Concat(Loads(root, "load/messages/sent", values.Load.MessagesSent))
            .Concat(Loads(root, "load/bytes/received", values.Load.BytesReceived))
            .Concat(Loads(root, "load/bytes/sent", values.Load.BytesSent)))
        {
            yield return load;
        }

        if (values.RetainedMessages is { } retained)
        {
            yield return Value(root, "retained messages/count", Number(retained));
        }

        if (values.Gateways is { } gateways)
        {
            yield return Value(root, "cluster/gateways", Number(gateways));
        }

        if (values.Silos is { } silos)
        {
            yield return Value(root, "cluster/silos", Number(silos));
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Loads(string root, string name, LoadAverage load)
    {
        yield return Value(root, $"{name}/1min", Average(load.OneMinute));
        yield return Value(root, $"{name}/5min", Average(load.FiveMinutes));
        yield return Value(root, $"{name}/15min", Average(load.FifteenMinutes));
    }

    private static KeyValuePair<string, string> Value(string root, string name, string payload) => new($"{root}/{name}", payload);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Average(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
