namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A bridge with two addresses and <c>round_robin false</c> whose first (primary) address has no broker at the
/// start, so the bridge connects to the second (<see cref="BridgeFixture.Remote"/>); a test starts a Mosquitto on
/// <see cref="PrimaryPort"/> later.
/// </summary>
public sealed class PrimaryAddressBridgeFixture : BridgeFixture
{
    public override string RemoteClientId => "pi.primary";

    public int PrimaryPort { get; } = MosquittoRemote.FreePort();

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
        $"connection {BridgeName}",
        $"address 127.0.0.1:{PrimaryPort} 127.0.0.1:{remotePort}",
        $"remote_clientid {RemoteClientId}",
        "restart_timeout 1",
        "topic # out 1 primary/ primary/");
}
