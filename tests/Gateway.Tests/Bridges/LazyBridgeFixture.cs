namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>A mosquitto.conf bridge with <c>start_type lazy</c>: it connects once <see cref="Threshold"/> QoS 1/2
/// messages wait and disconnects after a second without traffic.</summary>
public sealed class LazyBridgeFixture : BridgeFixture
{
    public const int Threshold = 3;

    public override string RemoteClientId => "pi.lazy";

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
        $"connection {BridgeName}",
        $"address 127.0.0.1:{remotePort}",
        $"remote_clientid {RemoteClientId}",
        "start_type lazy",
        $"threshold {Threshold}",
        "idle_timeout 1",
        "restart_timeout 1",
        "topic # out 1 lazy/ lazy/");
}
