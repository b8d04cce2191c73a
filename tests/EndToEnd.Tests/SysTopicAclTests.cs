using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// <c>$SYS</c> under a Mosquitto ACL: only a rule written with a leading '$' grants it (<c>topic read #</c> does
/// not), as in Mosquitto.
/// </summary>
public sealed class SysTopicAclTests(SysTopicAclTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<SysTopicAclTests.Fixture>
{
    private static readonly string[] Operator = ["-u", "operator", "-P", "operator-secret"];
    private static readonly string[] Device = ["-u", "device", "-P", "device-secret"];

    [Fact]
    public async Task A_user_the_acl_allows_dollar_SYS_receives_it()
    {
        await using var subscriber = Start(MosquittoClients.SubscribeCommand, [.. Operator, "-t", "$SYS/broker/version", "-v", "-C", "1", "-W", "20"]);

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.StartsWith("$SYS/broker/version mqtt-cluster version ", Assert.Single(subscriber.Output.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_whose_acl_does_not_name_dollar_SYS_is_refused_it()
    {
        // The device may read everything else ("topic read #"), which does not reach '$' topics.
        await using var subscriber = Start(MosquittoClients.SubscribeCommand, [.. Device, "-t", "$SYS/#", "-v", "-C", "1", "-W", "20"]);

        // mosquitto_sub reports a refused SUBACK on stderr and ends (with exit code 0).
        await subscriber.WaitForExitAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.True(
            subscriber.Errors.Lines.Any(l => l.Contains("All subscription requests were denied", StringComparison.Ordinal)),
            $"The subscription to $SYS was not refused.\n{subscriber.Describe()}");
        Assert.DoesNotContain(subscriber.Output.Lines, l => l.StartsWith('$'));
    }

    private ClientProcess Start(string command, string[] arguments) =>
        ClientProcess.Start(command, ["-h", "127.0.0.1", "-p", $"{Broker.TcpPort}", .. arguments]);

    public sealed class Fixture : BrokerFixture
    {
        public Fixture()
        {
            Directory = new TempDirectory("sys-acl");
            PasswordFile = Path.Combine(Directory.Path, "passwd");
            AclFile = Path.Combine(Directory.Path, "acl");
            MosquittoPasswd.Run("-c", "-b", PasswordFile, "operator", "operator-secret");
            MosquittoPasswd.Run("-b", PasswordFile, "device", "device-secret");
            File.WriteAllLines(AclFile,
            [
                "user operator",
                "topic read $SYS/#",
                "user device",
                "topic read #",
            ]);
        }

        public TempDirectory Directory { get; }

        public string PasswordFile { get; }

        public string AclFile { get; }

        protected override string[] ExtraArguments =>
            [$"--Security:PasswordFile={PasswordFile}", $"--Security:AclFile={AclFile}", "--Security:AllowAnonymous=false", "--Telemetry:SysInterval=1"];
    }
}
