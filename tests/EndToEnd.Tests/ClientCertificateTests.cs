using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>Mutual TLS (Mosquitto's require_certificate with cafile): only clients with a certificate from the CA.</summary>
public sealed class ClientCertificateTests(ClientCertificateTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<ClientCertificateTests.Fixture>
{
    [Fact]
    public async Task A_client_with_a_certificate_from_the_ca_connects()
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand,
        [
            "-h", "localhost", "-p", $"{fixture.TlsPort}", "--cafile", fixture.Certificates.CaFile,
            "--cert", fixture.Certificates.ClientCertificateFile, "--key", fixture.Certificates.ClientKeyFile,
            "-t", "mtls/t", "-q", "1", "-m", "with certificate",
        ]);

        await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand,
            ["-h", "localhost", "-p", $"{fixture.TlsPort}", "--cafile", fixture.Certificates.CaFile, "-t", "mtls/t", "-m", "no certificate"]);

        var exitCode = await publisher.WaitForExitAsync(MosquittoClients.Timeout);

        Assert.True(exitCode != 0, $"A client without certificate got in.\n{publisher.Describe()}");
    }

    public sealed class Fixture : BrokerFixture
    {
        public Fixture()
        {
            Directory = new TempDirectory("mtls");
            Certificates = new TestCertificates(Directory.Path);
            TlsPort = FreePorts.Take(1)[0];
        }

        public TempDirectory Directory { get; }

        public TestCertificates Certificates { get; }

        public int TlsPort { get; }

        protected override string[] ExtraArguments =>
        [
            $"--Mqtt:Tls:Port={TlsPort}",
            $"--Mqtt:Tls:CertificateFile={Certificates.ServerCertificateFile}",
            $"--Mqtt:Tls:KeyFile={Certificates.ServerKeyFile}",
            $"--Mqtt:Tls:CaFile={Certificates.CaFile}",
            "--Mqtt:Tls:RequireClientCertificate=true",
            "--Mqtt:Tls:UseIdentityAsUsername=true",
        ];
    }
}
