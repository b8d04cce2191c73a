using System.Collections.Concurrent;
using MqttCluster.Core.Security;
using MqttCluster.Core.Tests.Configuration;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Core.Tests.Security;

/// <summary>
/// One ACL file given to the installed Mosquitto and to <see cref="AclEvaluator"/>: a client subscribes, an admin
/// publishes every topic of <see cref="Topics"/>, and what Mosquitto delivers is compared with what the evaluator
/// lets through. Rows where the two differ are deliberate and say why.
/// </summary>
public sealed class MosquittoAclAgreementTests : IDisposable
{
    private const string Password = "pw";

    private const string Acl = """
        topic read public/#
        topic deny public/secret
        user alice
        topic readwrite alice/#
        topic deny alice/private/#
        user ops
        topic readwrite #
        user admin
        topic readwrite #
        pattern readwrite clients/%c/#
        pattern read users/%u/inbox/#
        pattern deny clients/%c/locked
        pattern read sync/%c
        """;

    private static readonly string[] Topics =
    [
        "public/news", "public/secret", "alice/notes", "alice/private/d", "clients/a1/x", "clients/anon1/x",
        "clients/anon1/locked", "clients/o1/locked", "clients/b1/x", "clients/b1/x/data", "users/alice/inbox/1",
        "users/bob/inbox/1",
    ];

    private readonly TempDirectory _dir = new();

    /// <summary>
    /// Row name, username ("-" for none), client id, filter; then for Mosquitto and for us: SUBACK granted, and the
    /// topics delivered ('|'-separated).
    /// </summary>
    public static TheoryData<string, string, string, string, bool, string, bool, string> Cases => new()
    {
        { "anonymous", "-", "anon1", "#", true, "public/news|clients/anon1/x", true, "public/news|clients/anon1/x" },
        { "user section", "alice", "a1", "#", true, "alice/notes|clients/a1/x|users/alice/inbox/1", true, "alice/notes|clients/a1/x|users/alice/inbox/1" },
        { "no section", "bob", "b1", "#", true, "clients/b1/x|clients/b1/x/data|users/bob/inbox/1", true, "clients/b1/x|clients/b1/x/data|users/bob/inbox/1" },
        { "narrower grant", "alice", "a1", "+/+", true, "alice/notes", true, "alice/notes" },

        // Deliberate differences.
        { "nothing readable: Mosquitto grants and stays silent, we refuse", "alice", "a1", "nothing/#", true, "", false, "" },
        {
            "pattern deny vs user grant: Mosquitto lets the user section win, the documented 'deny first' wins here",
            "ops", "o1", "clients/#", true, "clients/a1/x|clients/anon1/x|clients/anon1/locked|clients/o1/locked|clients/b1/x|clients/b1/x/data",
            true, "clients/a1/x|clients/anon1/x|clients/anon1/locked|clients/b1/x|clients/b1/x/data"
        },
        {
            "'/' in the client id: Mosquitto hands client b1's subtree to client b1/x, we do not",
            "bob", "b1/x", "#", true, "clients/b1/x|clients/b1/x/data|users/bob/inbox/1", true, "users/bob/inbox/1"
        },
    };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheEvaluatorDeliversTheExpectedTopics(
        string name, string username, string clientId, string filter, bool mosquittoGrants, string mosquittoTopics, bool weGrant, string ourTopics)
    {
        _ = (name, mosquittoGrants, mosquittoTopics);
        var client = new AclEvaluator(AclFile.Parse(Acl, "acl")).ForClient(username == "-" ? null : username, clientId);

        var delivered = client.CanSubscribe(filter)
            ? Topics.Where(t => MqttCluster.Core.Topics.TopicFilter.Matches(filter, t) && client.CanReceive(t).IsAllowed)
            : [];

        Assert.Equal(weGrant, client.CanSubscribe(filter));
        Assert.Equal(Split(ourTopics), delivered);
    }

    [MosquittoTheory]
    [MemberData(nameof(Cases))]
    public async Task MosquittoDeliversTheExpectedTopics(
        string name, string username, string clientId, string filter, bool mosquittoGrants, string mosquittoTopics, bool weGrant, string ourTopics)
    {
        _ = (name, weGrant, ourTopics);
        var passwords = new PasswordFile();
        foreach (var user in new[] { "alice", "bob", "ops", "admin" })
        {
            passwords.Upsert(user, Password);
        }

        passwords.Save(Path.Combine(_dir.Path, "passwd"));
        var acl = _dir.Write("acl", Acl);
        using var broker = await MosquittoBroker.StartAsync(
            _dir, $"password_file {_dir.Path}/passwd", $"acl_file {acl}", "allow_anonymous true");

        var factory = new MqttClientFactory();
        using var admin = factory.CreateMqttClient();
        using var subject = factory.CreateMqttClient();
        var received = new ConcurrentQueue<string>();
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subject.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (topic == $"sync/{clientId}")
            {
                synced.TrySetResult();
            }
            else if (!received.Contains(topic))
            {
                received.Enqueue(topic);
            }

            return Task.CompletedTask;
        };
        await admin.ConnectAsync(Options(broker, "admin", "admin-publisher"));
        await subject.ConnectAsync(Options(broker, username == "-" ? null : username, clientId));
        var suback = await subject.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        await subject.SubscribeAsync($"sync/{clientId}", MqttQualityOfServiceLevel.AtLeastOnce);

        foreach (var topic in Topics.Append($"sync/{clientId}"))
        {
            await admin.PublishStringAsync(topic, "m", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Mosquitto delivers in order, so once the sync message is in, everything published before it is too.
        await synced.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(mosquittoGrants, (int)suback.Items.Single().ResultCode < 0x80);
        Assert.Equal(Split(mosquittoTopics), received);
    }

    private static string[] Split(string topics) => topics.Split('|', StringSplitOptions.RemoveEmptyEntries);

    private static MqttClientOptions Options(MosquittoBroker broker, string? username, string clientId)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCleanSession();
        return (username is null ? options : options.WithCredentials(username, Password)).Build();
    }
}
