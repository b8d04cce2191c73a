using MqttCluster.Core.Telemetry;

namespace MqttCluster.Core.Tests.Telemetry;

public sealed class TopicActivityTests
{
    [Fact]
    public void Drain_returns_the_busiest_topics_and_starts_a_new_interval()
    {
        var activity = new TopicActivity();
        activity.Count("a", 5);
        activity.Count("b", 1);
        activity.Count("c", 3);
        activity.Count("a", 2);

        var first = activity.Drain(2);

        Assert.Equal([new("a", 7L), new("c", 3L)], first.Busiest);
        Assert.Equal(1, first.Others);
        Assert.Empty(activity.Drain(2).Busiest);
    }

    [Fact]
    public void Topics_beyond_the_capacity_are_counted_only_as_others()
    {
        var activity = new TopicActivity(capacity: 3);
        for (var i = 0; i < 100; i++)
        {
            activity.Count($"t/{i}", 1);
        }

        activity.Count("t/0", 10);
        var snapshot = activity.Drain(10);

        Assert.Equal(3, snapshot.Busiest.Count);
        Assert.Equal(new KeyValuePair<string, long>("t/0", 11), snapshot.Busiest[0]);
        Assert.Equal(97, snapshot.Others);
    }
}
