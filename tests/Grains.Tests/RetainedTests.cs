namespace MqttCluster.Grains.Tests;

/// <summary>Retained messages: kept by the topic grain, found through the partitioned index, persisted.</summary>
public sealed class RetainedTests
{
    [Fact]
    public async Task RetainedMessage_IsSetReplacedAndCleared()
    {
        await using var cluster = await BrokerTestCluster.StartAsync(silos: 1);
        try
        {
            var topic = cluster.Client.GetGrain<ITopicGrain>("home/temp");
            Assert.Null(await topic.GetRetainedAsync());

            await topic.PublishAsync([Messages.Create("home/temp", "20", retain: true)]);
            Assert.Equal("20", (await topic.GetRetainedAsync())!.Text());

            // A non-retained publish leaves it alone; a new retained one replaces it.
            await topic.PublishAsync([Messages.Create("home/temp", "live")]);
            await topic.PublishAsync([Messages.Create("home/temp", "21", retain: true)]);
            Assert.Equal("21", (await topic.GetRetainedAsync())!.Text());

            // An empty retained payload clears it [MQTT-3.3.1-10], and the index forgets the topic.
            await topic.PublishAsync([Messages.Create("home/temp", "", retain: true)]);
            Assert.Null(await topic.GetRetainedAsync());
            var partition = cluster.Client.GetGrain<IRetainedIndexGrain>(RetainedIndexPartition.ForTopic("home/temp"));
            Assert.Empty(await partition.MatchAsync("home/#"));
        }
        finally
        {
            cluster.DeleteData();
        }
    }

    [Fact]
    public async Task Index_FindsRetainedTopicsForWildcardFilters()
    {
        await using var cluster = await BrokerTestCluster.StartAsync(silos: 1);
        try
        {
            string[] topics = ["f/a", "f/b/c", "g/a", "$SYS/uptime"];
            foreach (var name in topics)
            {
                await cluster.Client.GetGrain<ITopicGrain>(name).PublishAsync([Messages.Create(name, name, retain: true)]);
            }

            Assert.Equal(["f/a", "f/b/c"], await MatchAsync(cluster, "f/#"));
            Assert.Equal(["f/a", "g/a"], await MatchAsync(cluster, "+/a"));
            // Leading wildcards do not match '$' topics [MQTT-4.7.2-1].
            Assert.Equal(["f/a", "f/b/c", "g/a"], await MatchAsync(cluster, "#"));
            Assert.Equal(["$SYS/uptime"], await MatchAsync(cluster, "$SYS/#"));
        }
        finally
        {
            cluster.DeleteData();
        }
    }

    [Fact]
    public async Task RetainedMessagesAndIndex_SurviveAClusterRestart()
    {
        string dataDirectory;
        await using (var cluster = await BrokerTestCluster.StartAsync(silos: 1))
        {
            dataDirectory = cluster.DataDirectory;
            await cluster.Client.GetGrain<ITopicGrain>("keep/me").PublishAsync([Messages.Create("keep/me", "still here", retain: true)]);
        }

        await using var restarted = await BrokerTestCluster.StartAsync(silos: 1, dataDirectory);
        try
        {
            Assert.Equal("still here", (await restarted.Client.GetGrain<ITopicGrain>("keep/me").GetRetainedAsync())!.Text());
            Assert.Equal(["keep/me"], await MatchAsync(restarted, "keep/+"));
        }
        finally
        {
            restarted.DeleteData();
        }
    }

    private static async Task<string[]> MatchAsync(BrokerTestCluster cluster, string filter)
    {
        var results = await Task.WhenAll(RetainedIndexPartition.ForFilter(filter)
            .Select(p => cluster.Client.GetGrain<IRetainedIndexGrain>(p).MatchAsync(filter)));
        return [.. results.SelectMany(r => r).Order(StringComparer.Ordinal)];
    }
}
