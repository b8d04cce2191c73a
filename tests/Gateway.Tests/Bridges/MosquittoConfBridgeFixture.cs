namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// An MQTT 3.1.1 bridge written as a Mosquitto user writes it, in a <c>mosquitto.conf</c> connection block, and
/// read the way <c>-c FILE</c> reads it (parser, then the mapping to native settings).
/// </summary>
public sealed class MosquittoConfBridgeFixture : BridgeFixture
{
    public override string RemoteClientId => "pi.bridge311";

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
        "listener 1883 127.0.0.1",
        "allow_anonymous true",
        $"connection {BridgeName}",
        $"address 127.0.0.1:{remotePort}",
        $"remote_clientid {RemoteClientId}",
        "restart_timeout 1 2",
        "keepalive_interval 10",
        BridgeTopics.Lines);
}
