using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// With anonymous access off (Mosquitto 2's default once a listener is not on loopback) and no password file, a
/// client gets in neither anonymously nor with made-up credentials, and hears why.
/// </summary>
public sealed class AnonymousAccessTests(AnonymousAccessTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<AnonymousAccessTests.Fixture>
{
    [Theory]
    [InlineData("mqttv311", "not authori")]
    [InlineData("mqttv5", "not authori")]
    public async Task An_anonymous_client_is_refused_as_not_authorised(string version, string expected)
    {
        var output = await RefusedAsync("-V", version);
        Assert.Contains(expected, output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task A_username_nobody_can_check_is_refused_as_bad_credentials(string version)
    {
        var output = await RefusedAsync("-V", version, "-u", "alice", "-P", "guess");
        Assert.Contains("bad user name or password", output, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> RefusedAsync(params string[] arguments)
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand,
            ["-h", "127.0.0.1", "-p", $"{Broker.TcpPort}", "-t", "closed/t", "-m", "x", .. arguments]);
        var exitCode = await publisher.WaitForExitAsync(MosquittoClients.Timeout);
        var output = string.Join('\n', publisher.Output.Lines.Concat(publisher.Errors.Lines));
        Assert.True(exitCode != 0, $"The client got in.\n{publisher.Describe()}");
        Assert.Contains(Broker.Log.Lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("Login", StringComparison.Ordinal));
        return output;
    }

    public sealed class Fixture : BrokerFixture
    {
        protected override string[] ExtraArguments => ["--Security:AllowAnonymous=false"];
    }
}
