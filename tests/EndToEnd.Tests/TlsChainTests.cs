using System.Diagnostics;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// TLS as a Mosquitto user sets it up (issue 16, item 14): the server certificate is signed by an intermediate CA
/// and clients trust only the root (<c>mosquitto_sub --cafile root.pem</c>), so the broker must send the chain,
/// whether the intermediate follows the server certificate in certfile or is only in cafile; client certificates
/// are checked against crlfile, and use_subject_as_username names each client by its certificate's subject, which
/// the ACL is written for.
/// </summary>
public sealed class TlsChainTests(TlsChainTests.Fixture fixture) : IClassFixture<TlsChainTests.Fixture>
{
    [Theory]
    [InlineData("chain in certfile")]
    [InlineData("chain from cafile")]
    public async Task A_client_trusting_only_the_root_exchanges_messages_under_its_certificate_subject(string listener)
    {
        var port = listener == "chain in certfile" ? fixture.ChainInCertFilePort : fixture.ChainFromCaFilePort;
        var topic = $"chain/{Guid.NewGuid():N}";

        await using (var publisher = Client(MosquittoClients.PublishCommand, port, fixture.Certificates.DeviceFile, fixture.Certificates.DeviceKeyFile, "-t", topic, "-r", "-q", "1", "-m", "signed"))
        {
            await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
        }

        await using var subscriber = Client(MosquittoClients.SubscribeCommand, port, fixture.Certificates.DeviceFile, fixture.Certificates.DeviceKeyFile, "-t", topic, "-C", "1", "-W", "15");
        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
        Assert.Equal(["signed"], subscriber.Output.Lines);
    }

    [Fact]
    public async Task A_revoked_client_certificate_is_refused()
    {
        await using var publisher = Client(MosquittoClients.PublishCommand, fixture.ChainInCertFilePort,
            fixture.Certificates.RevokedDeviceFile, fixture.Certificates.RevokedDeviceKeyFile, "-t", "chain/revoked", "-m", "should not get in");

        var exitCode = await publisher.WaitForExitAsync(MosquittoClients.Timeout, fixture.Describe);

        Assert.True(exitCode != 0, $"A revoked certificate got in.\n{publisher.Describe()}");
    }

    private ClientProcess Client(string command, int port, string certificate, string key, params string[] arguments) =>
        ClientProcess.Start(command, ["-h", "127.0.0.1", "-p", $"{port}", "--cafile", fixture.Certificates.RootFile, "--cert", certificate, "--key", key, .. arguments]);

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _directory = new("tls-chain");
        private MosquittoConfBroker? _broker;

        public Fixture()
        {
            Certificates = new TestCertificateChain(_directory.Path);
            var ports = FreePorts.Take(2);
            (ChainInCertFilePort, ChainFromCaFilePort) = (ports[0], ports[1]);
        }

        public TestCertificateChain Certificates { get; }

        public int ChainInCertFilePort { get; }

        public int ChainFromCaFilePort { get; }

        public string Describe() => _broker?.Describe() ?? "(broker not started)";

        public async Task InitializeAsync()
        {
            // The ACL names the client as OpenSSL prints the subject (RFC 2253), which is what Mosquitto uses.
            var acl = Path.Combine(_directory.Path, "acl");
            await File.WriteAllLinesAsync(acl, [$"user {await SubjectAsync(Certificates.DeviceFile)}", "topic readwrite chain/#"]);
            string[] clientChecks = [$"crlfile {Certificates.CrlFile}", "require_certificate true", "use_subject_as_username true"];
            _broker = await MosquittoConfBroker.StartAsync(_directory.Path,
            [
                "allow_anonymous false",
                $"acl_file {acl}",
                $"listener {ChainInCertFilePort} 127.0.0.1",
                $"certfile {Certificates.ServerChainFile}",
                $"keyfile {Certificates.ServerKeyFile}",
                $"cafile {Certificates.RootFile}",
                .. clientChecks,
                $"listener {ChainFromCaFilePort} 127.0.0.1",
                $"certfile {Certificates.ServerLeafFile}",
                $"keyfile {Certificates.ServerKeyFile}",
                $"cafile {Certificates.CaBundleFile}",
                .. clientChecks,
            ]);
        }

        public async Task DisposeAsync()
        {
            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            _directory.Dispose();
        }

        private static async Task<string> SubjectAsync(string certificateFile)
        {
            using var openssl = Process.Start(new ProcessStartInfo("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", certificateFile])
            {
                RedirectStandardOutput = true,
            })!;
            var output = await openssl.StandardOutput.ReadToEndAsync();
            await openssl.WaitForExitAsync();
            Assert.True(openssl.ExitCode == 0 && output.StartsWith("subject=", StringComparison.Ordinal), $"openssl x509 -subject failed: {output}");
            return output["subject=".Length..].Trim();
        }
    }
}
