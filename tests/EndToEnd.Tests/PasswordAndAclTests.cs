using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// A password file made by Mosquitto's own mosquitto_passwd and a Mosquitto ACL file: logins checked, publishes
/// and deliveries filtered per user, and a changed ACL applied to connected clients without a restart.
/// </summary>
public sealed class PasswordAndAclTests(PasswordAndAclTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<PasswordAndAclTests.Fixture>
{
    private static readonly string[] Alice = ["-u", "alice", "-P", "alice-secret"];
    private static readonly string[] Bob = ["-u", "bob", "-P", "bob-secret"];

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await using var client = Start(MosquittoClients.PublishCommand, "-u", "alice", "-P", "wrong", "-t", "sensors/x", "-m", "x");
        var exitCode = await client.WaitForExitAsync(MosquittoClients.Timeout);

        Assert.True(exitCode != 0, $"A wrong password got in.\n{client.Describe()}");
        Assert.Contains("bad user name or password", string.Join('\n', client.Errors.Lines.Concat(client.Output.Lines)), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("-P", "")]
    [InlineData]
    public async Task A_user_whose_stored_password_is_empty_logs_in_neither_with_an_empty_password_nor_without_one(params string[] password)
    {
        // mosquitto_passwd -b FILE empty "": Mosquitto refuses both logins, and so does the broker.
        await using var client = Start(MosquittoClients.PublishCommand, ["-u", "empty", .. password, "-t", "sensors/x", "-m", "x"]);
        var exitCode = await client.WaitForExitAsync(MosquittoClients.Timeout);

        Assert.True(exitCode != 0, $"The empty password got in.\n{client.Describe()}");
        Assert.Contains("bad user name or password", string.Join('\n', client.Errors.Lines.Concat(client.Output.Lines)), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Malformed_password_file_lines_are_skipped_with_a_warning_naming_file_and_line(int line)
    {
        // 'bad:' and 'worse:$6$': the broker started (alice and bob log in in the other tests) and said which lines.
        Assert.Contains(Broker.Log.Lines, l => BrokerLogLines.IsWarning(l) && l.Contains($"{fixture.PasswordFile}:{line}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wildcard_subscriber_receives_only_the_topics_it_may_read()
    {
        var subscriber = await StartReadySubscriberAsync(Bob, "sensors/#", "sensors/public/ready", count: 2);

        await PublishAsync(Alice, "sensors/private/t", "secret");
        await PublishAsync(Alice, "sensors/public/t", "open");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.Equal(["sensors/public/ready ready", "sensors/public/t open"], subscriber.Output.Lines);
    }

    [Fact]
    public async Task A_publish_the_acl_denies_is_dropped_and_the_client_keeps_working()
    {
        var subscriber = await StartReadySubscriberAsync(Alice, "alerts/#", "alerts/ready", count: 2);

        await PublishAsync(Bob, "alerts/forged", "forged");
        await PublishAsync(Bob, "cmd/go", "bob still publishes where he may");
        await PublishAsync(Alice, "alerts/end", "end");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.Equal(["alerts/ready ready", "alerts/end end"], subscriber.Output.Lines);
        Assert.Contains(Broker.Log.Lines, l => l.Contains("denied by the ACL", StringComparison.Ordinal) && l.Contains("alerts/forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_acl_file_applies_to_connected_clients()
    {
        var subscriber = await StartReadySubscriberAsync(Alice, "reload/#", "reload/ready", count: 2);
        var mark = Broker.Log.Lines.Count;

        File.AppendAllLines(fixture.AclFile, ["user bob", "topic write reload/#"]);
        var reloaded = await Broker.Log.WaitForLineAsync(l => l.Contains("reloaded", StringComparison.Ordinal) && Broker.Log.Lines.Skip(mark).Contains(l), TimeSpan.FromSeconds(15));
        Assert.True(reloaded is not null, $"The broker did not reload the changed ACL file.\n{Broker.Describe()}");
        await PublishAsync(Bob, "reload/t", "allowed now");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        Assert.Equal(["reload/ready ready", "reload/t allowed now"], subscriber.Output.Lines);
    }

    private ClientProcess Start(string command, params string[] arguments) =>
        ClientProcess.Start(command, ["-h", "127.0.0.1", "-p", $"{Broker.TcpPort}", .. arguments]);

    private async Task PublishAsync(string[] credentials, string topic, string payload, params string[] extra)
    {
        await using var publisher = Start(MosquittoClients.PublishCommand, [.. credentials, "-t", topic, "-q", "1", "-m", payload, .. extra]);
        await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
    }

    /// <summary>A subscriber that printed a retained marker (published by alice, who may write everywhere it reads).</summary>
    private async Task<ClientProcess> StartReadySubscriberAsync(string[] credentials, string filter, string markerTopic, int count)
    {
        await PublishAsync(Alice, markerTopic, "ready", "-r");
        var subscriber = Start(MosquittoClients.SubscribeCommand, [.. credentials, "-t", filter, "-v", "-C", $"{count}", "-W", "20"]);
        await subscriber.WaitForOutputLineAsync(l => l == $"{markerTopic} ready", MosquittoClients.Timeout, "the retained marker", Broker.Describe);
        return subscriber;
    }

    public sealed class Fixture : BrokerFixture
    {
        public Fixture()
        {
            Directory = new TempDirectory("acl");
            PasswordFile = Path.Combine(Directory.Path, "passwd");
            AclFile = Path.Combine(Directory.Path, "acl");
            MosquittoPasswd.Run("-c", "-b", PasswordFile, "alice", "alice-secret");
            MosquittoPasswd.Run("-b", PasswordFile, "bob", "bob-secret");
            MosquittoPasswd.Run("-b", PasswordFile, "empty", string.Empty);

            // Lines Mosquitto skips with a warning (lines 4 and 5): the broker must start and skip them too.
            File.AppendAllLines(PasswordFile, ["bad:", "worse:$6$"]);
            File.WriteAllLines(AclFile,
            [
                "user alice",
                "topic readwrite sensors/#",
                "topic readwrite cmd/#",
                "topic readwrite reload/#",
                "topic readwrite alerts/#",
                "topic read #",
                "user bob",
                "topic write cmd/#",
                "topic read sensors/public/#",
            ]);
        }

        public TempDirectory Directory { get; }

        public string PasswordFile { get; }

        public string AclFile { get; }

        protected override string[] ExtraArguments =>
            [$"--Security:PasswordFile={PasswordFile}", $"--Security:AclFile={AclFile}", "--Security:AllowAnonymous=false"];
    }
}
