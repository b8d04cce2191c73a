using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A remote Mosquitto whose TLS certificate (from a CA made for the test) names only <see cref="ServerName"/>, not the
/// 127.0.0.1 the bridges connect to, and two bridges that trust that CA: one with <c>bridge_insecure true</c>
/// (<see cref="BridgeFixture.BridgeName"/>) and one without it (<see cref="CheckingBridgeName"/>).
/// </summary>
public sealed class InsecureTlsBridgeFixture : BridgeFixture
{
    public const string CheckingBridgeName = "checking-name";

    public const string ServerName = "elsewhere.invalid";

    private TestCertificates? _certificates;

    public override string RemoteClientId => "pi.insecure";

    protected override IEnumerable<string> RemoteConfiguration(MosquittoRemote remote)
    {
        _certificates = new TestCertificates(remote.Directory, serverName: ServerName);
        return
        [
            $"listener {remote.TlsPort} 127.0.0.1",
            $"cafile {_certificates.CaFile}",
            $"certfile {_certificates.ServerCertificateFile}",
            $"keyfile {_certificates.ServerKeyFile}",
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
        $"connection {BridgeName}",
        $"address 127.0.0.1:{Remote.TlsPort}",
        $"remote_clientid {RemoteClientId}",
        $"bridge_cafile {_certificates!.CaFile}",
        "bridge_insecure true",
        "restart_timeout 1",
        "topic # out 1 insecure/ insecure/",
        $"connection {CheckingBridgeName}",
        $"address 127.0.0.1:{Remote.TlsPort}",
        "remote_clientid pi.checking",
        $"bridge_cafile {_certificates.CaFile}",
        "notifications false",
        "restart_timeout 1",
        "topic # out 1 checking/ checking/");
}
