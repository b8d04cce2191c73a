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

    public int ClosedPort { get; } = MosquittoRemote.FreePort();

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
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
        "topic # out 1 opt/ opt/");
}
