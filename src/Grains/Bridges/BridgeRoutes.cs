using MqttCluster.Core.Bridges;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// A bridge's topic lines, split by direction. As in Mosquitto, the first line that matches a message decides its
/// topic on the other side and its QoS (the lower of the message's and the line's).
/// </summary>
internal sealed class BridgeRoutes
{
    private readonly (BridgeTopicRoute Route, byte Qos)[] _out;
    private readonly (BridgeTopicRoute Route, byte Qos)[] _in;

    public BridgeRoutes(IEnumerable<BridgeTopicOptions> topics)
    {
        var all = topics.Select(t => (Options: t, Route: new BridgeTopicRoute(t.Pattern, t.LocalPrefix, t.RemotePrefix), Qos: (byte)Math.Clamp(t.Qos, 0, 2))).ToArray();
        _out = [.. all.Where(t => t.Options.Direction != BridgeDirection.In).Select(t => (t.Route, t.Qos))];
        _in = [.. all.Where(t => t.Options.Direction != BridgeDirection.Out).Select(t => (t.Route, t.Qos))];
        OutgoingOnlyRemoteFilters = [.. all.Where(t => t.Options.Direction == BridgeDirection.Out).Select(t => t.Route.RemoteFilter).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>What the bridge subscribes to here, as a gateway would for its clients.</summary>
    public string[] LocalFilters => [.. _out.Select(t => t.Route.LocalFilter).Distinct(StringComparer.Ordinal)];

    /// <summary>What the bridge subscribes to at the remote, with the QoS of each.</summary>
    public (string Filter, byte Qos)[] RemoteSubscriptions => [.. _in.Select(t => (t.Route.RemoteFilter, t.Qos))];

    /// <summary>Remote filters of outgoing-only lines, which Mosquitto unsubscribes from at connect.</summary>
    public string[] OutgoingOnlyRemoteFilters { get; }

    /// <summary>The remote topic and QoS of a local message; false when no outgoing line takes it.</summary>
    public bool TryOutgoing(string localTopic, byte qos, out string remoteTopic, out byte remoteQos) =>
        TryMap(_out, localTopic, qos, outgoing: true, out remoteTopic, out remoteQos);

    /// <summary>The local topic and QoS of a message from the remote; false when no incoming line takes it.</summary>
    public bool TryIncoming(string remoteTopic, byte qos, out string localTopic, out byte localQos) =>
        TryMap(_in, remoteTopic, qos, outgoing: false, out localTopic, out localQos);

    private static bool TryMap((BridgeTopicRoute Route, byte Qos)[] routes, string topic, byte qos, bool outgoing, out string mapped, out byte mappedQos)
    {
        foreach (var (route, lineQos) in routes)
        {
            if ((outgoing ? route.ToRemote(topic) : route.ToLocal(topic)) is { } result)
            {
                (mapped, mappedQos) = (result, Math.Min(qos, lineQos));
                return true;
            }
        }

        (mapped, mappedQos) = ("", 0);
        return false;
    }
}
