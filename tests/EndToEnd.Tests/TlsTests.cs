using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>Broker started with a TLS listener on PEM files: mosquitto clients and MQTTnet connect with the CA.</summary>
public sealed class TlsTests(TlsTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<TlsTests.Fixture>
{
    [Fact]
    public async Task Mosquitto_clients_exchange_messages_over_tls_with_the_ca_file()
    {
        var tls = new[] { "-h", "localhost", "-p", $"{fixture.TlsPort}", "--cafile", fixture.Certificates.CaFile };

        // A retained marker arrives right after SUBACK: once the subscriber printed it, it is subscribed.
        await PublishAsync(tls, "secure/ready", "ready", "-r");
        await using var subscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand, [.. tls, "-t", "secure/#", "-v", "-C", "2", "-W", "20"]);
        await subscriber.WaitForOutputLineAsync(l => l == "secure/ready ready", MosquittoClients.Timeout, "the retained marker", Broker.Describe);

        await PublishAsync(tls, "secure/t", "over tls");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.Equal(["secure/ready ready", "secure/t over tls"], subscriber.Output.Lines);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_server_certificate_cannot_connect()
    {
        var otherDirectory = Directory.CreateDirectory(Path.Combine(fixture.Directory.Path, $"other-{Guid.NewGuid():N}")).FullName;
        var other = new TestCertificates(otherDirectory);
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "localhost", "-p", $"{fixture.TlsPort}", "--cafile", other.CaFile, "-t", "x", "-m", "y"]);

        var exitCode = await publisher.WaitForExitAsync(MosquittoClients.Timeout);

        Assert.True(exitCode != 0, $"mosquitto_pub trusted a certificate from another CA.\n{publisher.Describe()}");
    }

    [Fact]
    public async Task An_mqttnet_client_trusting_the_ca_connects_over_tls_with_mqtt_5()
    {
        var authority = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(fixture.Certificates.CaFile);
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var options = new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer("localhost", fixture.TlsPort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("localhost")
                .WithCertificateValidationHandler(context =>
                {
                    // Trust exactly the test CA, as a device configured with it would.
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    return chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(context.Certificate));
                }))
            .Build();

        var result = await client.ConnectAsync(options);
        var published = await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
            .WithTopic("secure/mqttnet").WithPayload("v5 over tls").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.True(published.IsSuccess, $"PUBACK {published.ReasonCode}");
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().Build());
    }

    [Fact]
    public async Task The_plain_listener_keeps_working_next_to_the_tls_one()
    {
        await new MosquittoClients(Broker).PublishAsync("-t", "plain/t", "-m", "plain");
    }

    private async Task PublishAsync(string[] tls, string topic, string payload, params string[] extra)
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, [.. tls, "-t", topic, "-q", "1", "-m", payload, .. extra]);
        await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
    }

    public sealed class Fixture : BrokerFixture
    {
        public Fixture()
        {
            Directory = new TempDirectory("tls");
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
        ];
    }
}
