using System.Globalization;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A bridge (MQTT 3.1.1, native settings, quick reconnects) whose remote the tests stop and start, and a second
/// bridge, <see cref="UnreachableBridgeName"/>, whose remote never answers and whose queue holds
/// <see cref="UnreachableQueueLimit"/> messages.
/// </summary>
public sealed class StoreAndForwardBridgeFixture : BridgeFixture
{
    public const string UnreachableBridgeName = "unreachable";

    public const int UnreachableQueueLimit = 5;

    public override string RemoteClientId => "pi.store";

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort)
    {
        var key = $"Bridges:{BridgeName}:";
        var unreachable = $"Bridges:{UnreachableBridgeName}:";
        return new Dictionary<string, string?>
        {
            [key + "Addresses:0"] = $"127.0.0.1:{remotePort.ToString(CultureInfo.InvariantCulture)}",
            [key + "RemoteClientId"] = RemoteClientId,
            [key + "RestartTimeout"] = "00:00:00.200",
            [key + "RestartTimeoutCap"] = "00:00:01",
            [key + "Topics:0:Pattern"] = "#",
            [key + "Topics:0:Direction"] = "out",
            [key + "Topics:0:Qos"] = "1",
            [key + "Topics:0:LocalPrefix"] = "saf/",
            [key + "Topics:0:RemotePrefix"] = "saf/",
            [unreachable + "Addresses:0"] = $"127.0.0.1:{MosquittoRemote.FreePort().ToString(CultureInfo.InvariantCulture)}",
            [unreachable + "MaxQueuedMessages"] = UnreachableQueueLimit.ToString(CultureInfo.InvariantCulture),
            [unreachable + "Notifications"] = "false",
            [unreachable + "Topics:0:Pattern"] = "unreachable/#",
            [unreachable + "Topics:0:Qos"] = "1",
        };
    }
}
