using Microsoft.Extensions.Time.Testing;
using MqttCluster.Grains.Status;

namespace MqttCluster.Grains.Tests.Status;

public sealed class ClusterStatisticsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static NodeReport Report(string gateway, long received, int connections = 1, params TopicCount[] topics) => new()
    {
        Node = $"node-{gateway}",
        GatewayId = gateway,
        HostName = "host",
        Connections = connections,
        Counters = NodeCounters.Zero with { MessagesReceived = received, MessagesSent = received * 2 },
        TopTopics = topics,
        IntervalSeconds = 2,
    };

    [Fact]
    public void Rates_come_from_each_gateways_growth_and_not_from_what_it_counted_before()
    {
        var statistics = new ClusterStatistics(_clock);
        statistics.Report(Report("a", received: 1000));
        statistics.Report(Report("b", received: 0));

        _clock.Advance(TimeSpan.FromSeconds(5));
        statistics.Report(Report("a", received: 1050));
        statistics.Report(Report("b", received: 50));
        statistics.Tick();

        var sample = Assert.Single(statistics.Snapshot([], null).History);
        Assert.Equal(20, sample.Received, 6);
        Assert.Equal(40, sample.Sent, 6);
        Assert.Equal(1100, statistics.Totals.MessagesReceived);
        Assert.Equal(10, statistics.Gateways.Single(g => g.Report.GatewayId == "a").ReceivedPerSecond, 6);
    }

    [Fact]
    public void A_gateway_that_stops_reporting_is_forgotten_but_its_messages_stay_counted()
    {
        var statistics = new ClusterStatistics(_clock);
        statistics.Report(Report("a", received: 10, connections: 4));
        statistics.Report(Report("b", received: 20, connections: 6));
        Assert.Equal(10, statistics.Connections);

        _clock.Advance(ClusterStatistics.GatewayExpiry / 2);
        statistics.Report(Report("a", received: 10, connections: 4));
        _clock.Advance(ClusterStatistics.GatewayExpiry / 2 + TimeSpan.FromSeconds(1));
        statistics.Tick();

        Assert.Equal(["a"], statistics.Gateways.Select(g => g.Report.GatewayId));
        Assert.Equal(4, statistics.Connections);
        Assert.Equal(10, statistics.MaxConnections);
        Assert.Equal(30, statistics.Totals.MessagesReceived);
    }

    [Fact]
    public void The_history_keeps_fifteen_minutes()
    {
        var statistics = new ClusterStatistics(_clock);
        for (var i = 0; i < ClusterStatistics.HistoryLength + 20; i++)
        {
            _clock.Advance(ClusterStatistics.SampleInterval);
            statistics.Tick();
        }

        var history = statistics.Snapshot([], null).History;
        Assert.Equal(ClusterStatistics.HistoryLength, history.Length);
        Assert.Equal(_clock.GetUtcNow(), history[^1].At);
    }

    [Fact]
    public void Top_topics_add_up_across_gateways_and_are_bounded()
    {
        var statistics = new ClusterStatistics(_clock);
        statistics.Report(Report("a", 0, 1, [.. Enumerable.Range(0, 10).Select(i => new TopicCount($"t/{i}", 20 - i))]));
        statistics.Report(Report("b", 0, 1, new TopicCount("t/9", 100), new TopicCount("other", 1)));

        var top = statistics.TopTopics();

        Assert.Equal(ClusterStatistics.TopTopicCount, top.Length);
        Assert.Equal(new TopicRate("t/9", (100 + 11) / 2.0), top[0]);
        Assert.DoesNotContain(top, t => t.Topic == "other");
    }
}
