using MqttCluster.Core.Telemetry;

namespace MqttCluster.Core.Tests.Telemetry;

public sealed class SysTopicsTests
{
    private static SysValues Values(long received) => new()
    {
        Uptime = TimeSpan.FromSeconds(42.7),
        ClientsConnected = 3,
        ClientsMaximum = 5,
        Totals = new BrokerTotals(0, 0, received, 0, 0, 0, 0),
        Subscriptions = 7,
        Load = new SysLoad(),
        RetainedMessages = 9,
    };

    [Fact]
    public void The_tree_uses_Mosquitto_names_and_formats()
    {
        var tree = SysTopics.Describe(SysTopics.Root, Values(12)).ToDictionary();

        Assert.Equal("42 seconds", tree["$SYS/broker/uptime"]);
        Assert.Equal("3", tree["$SYS/broker/clients/connected"]);
        Assert.Equal("5", tree["$SYS/broker/clients/maximum"]);
        Assert.Equal("12", tree["$SYS/broker/messages/received"]);
        Assert.Equal("9", tree["$SYS/broker/retained messages/count"]);
        Assert.Equal("0.00", tree["$SYS/broker/load/messages/received/15min"]);
        Assert.StartsWith("mqtt-cluster version ", tree["$SYS/broker/version"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_tree_has_no_cluster_only_values_and_a_safe_level()
    {
        var node = SysTopics.NodeLevel("host/1+#");
        var tree = SysTopics.Describe(SysTopics.NodeRoot(node), Values(1) with { RetainedMessages = null }).ToDictionary();

        Assert.Equal("host_1__", node);
        Assert.Contains("$SYS/broker/nodes/host_1__/clients/connected", tree.Keys);
        Assert.DoesNotContain(tree.Keys, t => t.EndsWith("retained messages/count", StringComparison.Ordinal));
    }

    [Fact]
    public void A_publication_round_returns_only_changed_values_and_all_after_a_failure()
    {
        var publication = new SysPublication();
        var first = publication.Changes(SysTopics.Describe(SysTopics.Root, Values(1)));
        var second = publication.Changes(SysTopics.Describe(SysTopics.Root, Values(2)));
        publication.Forget();
        var third = publication.Changes(SysTopics.Describe(SysTopics.Root, Values(2)));

        Assert.Equal(first.Count, publication.Topics.Count);
        Assert.Equal(["$SYS/broker/messages/received", "$SYS/broker/publish/messages/received"], second.Select(c => c.Key));
        Assert.Equal(first.Count, third.Count);
    }
}
