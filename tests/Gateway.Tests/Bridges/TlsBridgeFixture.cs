using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A remote Mosquitto with a TLS listener that asks for client certificates (a CA made for the test), a bridge to
/// it configured as a Mosquitto user would (<c>bridge_cafile</c>, <c>bridge_certfile</c>, <c>bridge_keyfile</c>,
/// <c>bridge_tls_version</c>), a second bridge, <see cref="UntrustingBridgeName"/>, that trusts another CA, and a
/// third, <see cref="CaPathBridgeName"/>, that finds the CA in a directory (<c>bridge_capath</c>) among other files.
/// </summary>
public sealed class TlsBridgeFixture : BridgeFixture
{
    public const string UntrustingBridgeName = "untrusting";

    public const string CaPathBridgeName = "capath";

    private TestCertificates? _certificates;
    private TestCertificates? _otherCa;

    public override string RemoteClientId => "pi.tls";

    protected override IEnumerable<string> RemoteConfiguration(MosquittoRemote remote)
    {
        _certificates = new TestCertificates(remote.Directory, clientName: "pi-bridge");
        var other = Path.Combine(remote.Directory, "other");
        Directory.CreateDirectory(other);
        _otherCa = new TestCertificates(other);

        // A CA directory as Debian keeps one: certificates and other files side by side.
        var caPath = Path.Combine(remote.Directory, "ca-directory");
        Directory.CreateDirectory(caPath);
        File.Copy(_certificates.CaFile, Path.Combine(caPath, "test-ca.pem"));
        File.WriteAllText(Path.Combine(caPath, "README"), "not a certificate\n");
        return
        [
            $"listener {remote.TlsPort} 127.0.0.1",
            $"cafile {_certificates.CaFile}",
            $"certfile {_certificates.ServerCertificateFile}",
            $"keyfile {_certificates.ServerKeyFile}",
            "require_certificate true",
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort) => FromMosquittoConf(
        $"connection {BridgeName}",
        $"address 127.0.0.1:{Remote.TlsPort}",
        $"remote_clientid {RemoteClientId}",
        $"bridge_cafile {_certificates!.CaFile}",
        $"bridge_certfile {_certificates.ClientCertificateFile}",
        $"bridge_keyfile {_certificates.ClientKeyFile}",
        "bridge_tls_version tlsv1.2",
        "restart_timeout 1",
        "topic # out 1 tls/ tls/",
        $"connection {UntrustingBridgeName}",
        $"address 127.0.0.1:{Remote.TlsPort}",
        "remote_clientid pi.untrusting",
        $"bridge_cafile {_otherCa!.CaFile}",
        "notifications false",
        "restart_timeout 1",
        "topic # out 1 untrusting/ untrusting/",
        $"connection {CaPathBridgeName}",
        $"address 127.0.0.1:{Remote.TlsPort}",
        "remote_clientid pi.capath",
        $"bridge_capath {Path.Combine(Remote.Directory, "ca-directory")}",
        $"bridge_certfile {_certificates.ClientCertificateFile}",
        $"bridge_keyfile {_certificates.ClientKeyFile}",
        "notifications false",
        "restart_timeout 1",
        "topic # out 1 capath/ capath/");
}
