using System.Globalization;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>An MQTT 5 bridge declared in the native configuration (<c>Bridges:NAME:...</c>, as appsettings.json or
/// environment variables give it).</summary>
public sealed class NativeMqtt5BridgeFixture : BridgeFixture
{
    public override string RemoteClientId => "pi.bridge5";

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort)
    {
        var key = $"Bridges:{BridgeName}:";
        var settings = new Dictionary<string, string?>
        {
            [key + "Addresses:0"] = $"127.0.0.1:{remotePort.ToString(CultureInfo.InvariantCulture)}",
            [key + "ProtocolVersion"] = "Mqtt50",
            [key + "RemoteClientId"] = RemoteClientId,
            [key + "RestartTimeout"] = "00:00:00.500",
            [key + "RestartTimeoutCap"] = "00:00:02",
        };
        for (var i = 0; i < BridgeTopics.Native.Length; i++)
        {
            var (pattern, direction, qos, local, remote) = BridgeTopics.Native[i];
            settings[$"{key}Topics:{i}:Pattern"] = pattern;
            settings[$"{key}Topics:{i}:Direction"] = direction;
            settings[$"{key}Topics:{i}:Qos"] = qos.ToString(CultureInfo.InvariantCulture);
            settings[$"{key}Topics:{i}:LocalPrefix"] = local;
            settings[$"{key}Topics:{i}:RemotePrefix"] = remote;
        }

        return settings;
    }
}
