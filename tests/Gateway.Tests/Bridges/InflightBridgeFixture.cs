using System.Globalization;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// An MQTT 5 bridge (native settings, QoS 2 out on <c>inflight/#</c>, quick reconnects) to a Mosquitto that takes
/// at most <see cref="RemoteReceiveMaximum"/> unfinished QoS 2 messages at once (its <c>max_inflight_messages</c>,
/// announced as Receive Maximum; Mosquitto disconnects an MQTT 5 client that sends more).
/// </summary>
public sealed class InflightBridgeFixture : BridgeFixture
{
    public const int RemoteReceiveMaximum = 3;

    public override string RemoteClientId => "pi.inflight";

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort)
    {
        var key = $"Bridges:{BridgeName}:";
        return new Dictionary<string, string?>
        {
            [key + "Addresses:0"] = $"127.0.0.1:{remotePort.ToString(CultureInfo.InvariantCulture)}",
            [key + "ProtocolVersion"] = "Mqtt50",
            [key + "RemoteClientId"] = RemoteClientId,
            [key + "RestartTimeout"] = "00:00:00.200",
            [key + "RestartTimeoutCap"] = "00:00:01",
            [key + "Topics:0:Pattern"] = "inflight/#",
            [key + "Topics:0:Qos"] = "2",
        };
    }

    protected override IEnumerable<string> RemoteConfiguration(MosquittoRemote remote) =>
        [$"max_inflight_messages {RemoteReceiveMaximum.ToString(CultureInfo.InvariantCulture)}"];
}
