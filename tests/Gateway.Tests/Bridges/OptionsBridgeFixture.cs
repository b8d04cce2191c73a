using System.Net;
using System.Net.Sockets;
using MqttCluster.Core.Configuration;
using MqttCluster.Silo.Configuration;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A mosquitto.conf bridge with Mosquitto's less common options: a first address where nothing listens (so the
/// bridge moves on to the second), MQTT 3.1 without the bridge bit, credentials, retain flags cleared on the way out,
/// and its connection state on a topic of its own, published here only.
/// </summary>
public sealed class OptionsBridgeFixture : BridgeFixture
{
    public const string StateTopic = "bridges/options/state";

    public override string RemoteClientId => "pi.options";

    public int ClosedPort { get; } = TakeClosedPort();

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort)
    {
        var config = MosquittoConfigParser.ParseText(string.Join('\n',
            $"connection {BridgeName}",
            $"address 127.0.0.1:{ClosedPort} 127.0.0.1:{remotePort}",
            "round_robin false",
            "bridge_protocol_version mqttv31",
            "try_private false",
            $"remote_clientid {RemoteClientId}",
            "remote_username pi",
            "remote_password not checked",
            "cleansession true",
            "bridge_outgoing_retain false",
            $"notification_topic {StateTopic}",
            "notifications_local_only true",
            "restart_timeout 1",
            "topic # out 1 opt/ opt/"), "/etc/mosquitto/conf.d/bridge.conf");
        var mapped = MosquittoConfigMapping.Map(config);
        Assert.False(config.HasErrors || mapped.Errors.Count > 0, string.Join('\n', config.Diagnostics.Select(d => d.ToString()).Concat(mapped.Errors)));
        return mapped.Settings.Where(s => s.Key.StartsWith("Bridges:", StringComparison.Ordinal));
    }

    private static int TakeClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
