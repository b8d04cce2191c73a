using MqttCluster.Core.Security;

namespace MqttCluster.Core.Tests.Security;

public class AclEvaluatorTests
{
    /// <summary>Line numbers matter: decisions name the line that decided.</summary>
    private static readonly AclEvaluator Acl = new(AclFile.Parse(
        """
        # Anonymous clients: the public tree, less one topic.
        topic read public/#
        topic deny public/secret
        topic write public/inbox

        user alice
        topic readwrite alice/#
        topic deny alice/private/#
        topic read shared/+/status
        topic read $SYS/broker/uptime

        user ops
        topic readwrite #

        # Every client, anonymous or not.
        pattern readwrite clients/%c/#
        pattern read users/%u/inbox/#
        pattern write users/%u/outbox
        pattern deny clients/%c/locked
        """,
        "acl"));

    /// <summary>Username ("-" for none), client id, R(ead) or W(rite), topic, outcome, deciding line.</summary>
    public static TheoryData<string, string, char, string, AclOutcome, int> Checks => new()
    {
        // The anonymous section applies to clients without a username only.
        { "-", "anon", 'R', "public/news", AclOutcome.Allowed, 2 },
        { "-", "anon", 'W', "public/news", AclOutcome.NotGranted, 0 },
        { "-", "anon", 'R', "public/secret", AclOutcome.Denied, 3 },
        { "-", "anon", 'W', "public/inbox", AclOutcome.Allowed, 4 },
        { "-", "anon", 'R', "public/inbox", AclOutcome.Allowed, 2 },
        { "-", "anon", 'R', "alice/notes", AclOutcome.NotGranted, 0 },
        { "-", "anon", 'R', "clients/anon/x", AclOutcome.Allowed, 16 },
        { "-", "anon", 'R', "clients/anon/locked", AclOutcome.Denied, 19 },
        { "-", "anon", 'R', "users/anon/inbox/1", AclOutcome.NotGranted, 0 }, // %u patterns skip anonymous clients
        { "-", "anon", 'R', "$SYS/broker/uptime", AclOutcome.NotGranted, 0 },

        // A user gets its section, not the anonymous one, plus the patterns.
        { "alice", "a1", 'R', "alice/notes", AclOutcome.Allowed, 7 },
        { "alice", "a1", 'W', "alice/notes", AclOutcome.Allowed, 7 },
        { "alice", "a1", 'R', "alice/private/diary", AclOutcome.Denied, 8 },
        { "alice", "a1", 'W', "alice/private", AclOutcome.Denied, 8 }, // '#' matches its parent level
        { "alice", "a1", 'R', "public/news", AclOutcome.NotGranted, 0 },
        { "alice", "a1", 'R', "shared/kitchen/status", AclOutcome.Allowed, 9 },
        { "alice", "a1", 'W', "shared/kitchen/status", AclOutcome.NotGranted, 0 },
        { "alice", "a1", 'R', "$SYS/broker/uptime", AclOutcome.Allowed, 10 },
        { "alice", "a1", 'R', "$SYS/broker/load", AclOutcome.NotGranted, 0 },
        { "alice", "a1", 'R', "users/alice/inbox/1", AclOutcome.Allowed, 17 },
        { "alice", "a1", 'R', "users/bob/inbox/1", AclOutcome.NotGranted, 0 },
        { "alice", "a1", 'W', "users/alice/outbox", AclOutcome.Allowed, 18 },
        { "alice", "a1", 'R', "users/alice/outbox", AclOutcome.NotGranted, 0 },
        { "alice", "a1", 'R', "clients/a1/data", AclOutcome.Allowed, 16 },
        { "alice", "a1", 'R', "clients/a2/data", AclOutcome.NotGranted, 0 },

        // A user without a section: the patterns only.
        { "bob", "b1", 'R', "clients/b1/x", AclOutcome.Allowed, 16 },
        { "bob", "b1", 'R', "users/bob/inbox/x", AclOutcome.Allowed, 17 },
        { "bob", "b1", 'R', "public/news", AclOutcome.NotGranted, 0 },

        // '#' grants everything except '$' topics, and a deny still wins, wherever it is written.
        { "ops", "o1", 'R', "any/topic/at/all", AclOutcome.Allowed, 13 },
        { "ops", "o1", 'W', "x", AclOutcome.Allowed, 13 },
        { "ops", "o1", 'R', "$SYS/broker/uptime", AclOutcome.NotGranted, 0 },
        { "ops", "o1", 'W', "clients/o1/locked", AclOutcome.Denied, 19 }, // Mosquitto 2.0.11 lets the user grant win
        { "ops", "o1", 'W', "clients/o2/locked", AclOutcome.Allowed, 13 },

        // Client ids and usernames that try to widen a pattern grant get nothing from it.
        { "bob", "b1/x", 'R', "clients/b1/x/data", AclOutcome.NotGranted, 0 }, // client b1's subtree
        { "bob", "+", 'R', "clients/a1/data", AclOutcome.NotGranted, 0 },
        { "bob", "#", 'R', "clients/a1/data", AclOutcome.Denied, 19 }, // the deny pattern below fails closed
        { "+", "c", 'R', "users/bob/inbox/1", AclOutcome.NotGranted, 0 },
        { "#", "c", 'R', "users/bob/inbox/1", AclOutcome.NotGranted, 0 },
        { "bob/inbox", "c", 'R', "users/bob/inbox/inbox/1", AclOutcome.NotGranted, 0 },
        { "", "c", 'R', "users//inbox/1", AclOutcome.NotGranted, 0 },

        // ... while a deny pattern is substituted as Mosquitto does, and fails closed when that is no filter.
        { "ops", "o1/x", 'W', "clients/o1/x/locked", AclOutcome.Denied, 19 },
        { "ops", "o1/x", 'W', "clients/o1/x/data", AclOutcome.Allowed, 13 },
        { "ops", "o+", 'W', "clients/o/locked", AclOutcome.Denied, 19 },
        { "ops", "o+", 'R', "any/topic", AclOutcome.Denied, 19 },
        { "ops", "#", 'R', "any/topic", AclOutcome.Denied, 19 },
    };

    [Theory]
    [MemberData(nameof(Checks))]
    public void DecidesEachCheckByTheRightLine(string username, string clientId, char access, string topic, AclOutcome outcome, int line)
    {
        var user = username == "-" ? null : username;

        var decision = access == 'W' ? Acl.CanPublish(user, clientId, topic) : Acl.ForClient(user, clientId).CanReceive(topic);

        Assert.Equal(new AclDecision(outcome, line), decision);
        if (access == 'R')
        {
            Assert.Equal(outcome == AclOutcome.Allowed, Acl.CanReceive(user, clientId, topic));
        }
    }

    /// <summary>Username ("-" for none), client id, SUBSCRIBE filter, granted.</summary>
    public static TheoryData<string, string, string, bool> Subscriptions => new()
    {
        // Wider than the grants: granted, and deliveries are filtered (as Mosquitto 2 does).
        { "-", "anon", "#", true },
        { "-", "anon", "public/+", true },
        { "alice", "a1", "alice/+/diary", true },
        { "alice", "a1", "#", true },
        { "ops", "o1", "#", true },
        { "alice", "a1", "$share/group/alice/#", true },

        // Exactly readable.
        { "-", "anon", "public/inbox", true },
        { "alice", "a1", "$SYS/#", true },
        { "bob", "b1", "clients/b1/#", true },

        // Nothing it matches could ever be delivered: Mosquitto grants these and stays silent; refused here.
        { "-", "anon", "public/secret", false },
        { "-", "anon", "private/#", false },
        { "-", "anon", "$SYS/#", false },
        { "alice", "a1", "alice/private/#", false },
        { "alice", "a1", "alice/private/+/x", false },
        { "alice", "a1", "users/alice/outbox", false }, // write-only
        { "ops", "o1", "clients/o1/locked", false },
        { "ops", "o+", "#", false },
        { "bob", "b1/x", "clients/b1/x/#", false },
    };

    [Theory]
    [MemberData(nameof(Subscriptions))]
    public void GrantsASubscriptionWhenSomethingItMatchesIsReadable(string username, string clientId, string filter, bool granted)
    {
        Assert.Equal(granted, Acl.CanSubscribe(username == "-" ? null : username, clientId, filter));
    }

    [Fact]
    public void APatternStartingWithASubstitutionNeverReachesDollarTopics()
    {
        var acl = new AclEvaluator(AclFile.Parse("pattern readwrite %c/#\npattern read $SYS/clients/%c", "acl"));

        Assert.True(acl.CanReceive(null, "abc", "abc/x"));
        Assert.False(acl.CanReceive(null, "$SYS", "$SYS/broker/uptime"));
        Assert.False(acl.CanPublish(null, "$SYS", "$SYS/x").IsAllowed);
        Assert.True(acl.CanReceive(null, "abc", "$SYS/clients/abc"));
        Assert.False(acl.CanSubscribe(null, "$SYS", "$SYS/broker/#"));
    }

    [Fact]
    public void WildcardsAtTheFirstLevelNeverReachDollarTopicsEvenWhenTheyAreGranted()
    {
        var acl = new AclEvaluator(AclFile.Parse("user alice\ntopic read $SYS/broker/uptime", "acl"));

        Assert.True(acl.CanSubscribe("alice", "a1", "$SYS/#"));
        Assert.False(acl.CanSubscribe("alice", "a1", "+/broker/uptime")); // [MQTT-4.7.2-1]
        Assert.False(acl.CanSubscribe("alice", "a1", "#"));
    }

    [Fact]
    public void AnEmptyAclFileRefusesEverything()
    {
        var acl = new AclEvaluator(AclFile.Parse("# no rules\n", "acl"));

        Assert.Equal(AclDecision.NotGranted, acl.CanPublish("alice", "a1", "a"));
        Assert.False(acl.CanReceive(null, "c", "a"));
        Assert.False(acl.CanSubscribe("alice", "a1", "#"));
    }

    [Fact]
    public void AClientViewAnswersLikeTheEvaluator()
    {
        var client = Acl.ForClient("alice", "a1");

        Assert.True(client.CanPublish("alice/x").IsAllowed);
        Assert.Equal("denied by ACL line 8", client.CanReceive("alice/private/x").ToString());
        Assert.Equal("not granted by any ACL line", client.CanPublish("public/x").ToString());
        Assert.True(client.CanSubscribe("shared/#"));
    }
}
