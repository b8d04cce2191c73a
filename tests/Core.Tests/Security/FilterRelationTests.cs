using CsCheck;
using MqttCluster.Core.Security;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Tests.Security;

/// <summary>
/// Overlap and coverage of filters against a brute-force oracle: every topic of up to 5 levels over the generators'
/// alphabet. Generated filters have at most 4 levels, so any witness or counterexample fits in 5.
/// </summary>
public class FilterRelationTests
{
    private static readonly string[] Universe = AllTopics(["a", "b", "$x", ""], maxLevels: 5);

    [Theory]
    [InlineData("a/b", "a/+", true)]
    [InlineData("a", "a/#", true)] // '#' matches its parent level [MQTT-4.7.1-2]
    [InlineData("a/b", "a/c", false)]
    [InlineData("+/b", "a/+/c", false)]
    [InlineData("#", "$SYS/x", false)] // [MQTT-4.7.2-1]
    [InlineData("+/x", "$SYS/+", false)]
    [InlineData("$SYS/#", "$SYS/broker/+", true)]
    [InlineData("a/+/c", "a/b/#", true)]
    [InlineData("+", "/#", false)] // only the empty string, which is no topic, would match both
    [InlineData("+/+", "/#", true)]
    public void Overlap(string a, string b, bool expected)
    {
        Assert.Equal(expected, FilterRelation.Overlap(a, b));
        Assert.Equal(expected, FilterRelation.Overlap(b, a));
    }

    [Theory]
    [InlineData("a/#", "a", true)]
    [InlineData("a/#", "a/+/c", true)]
    [InlineData("a/+", "a/+/#", false)]
    [InlineData("a/+", "a/b", true)]
    [InlineData("a/b", "a/+", false)]
    [InlineData("#", "$SYS/x", false)]
    [InlineData("#", "+/x", true)]
    [InlineData("+/#", "#", true)]
    [InlineData("a/#", "#", false)]
    [InlineData("a/+/#", "a/#", false)] // the inner one matches "a"
    [InlineData("+/+/#", "+/#", false)]
    public void Covers(string outer, string inner, bool expected)
    {
        Assert.Equal(expected, FilterRelation.Covers(outer, inner));
    }

    [Fact]
    public void OverlapAgreesWithBruteForce()
    {
        Gen.Select(TopicGen.Filter, TopicGen.Filter).Sample(
            (a, b) => FilterRelation.Overlap(a, b) == Universe.Any(t => TopicFilter.Matches(a, t) && TopicFilter.Matches(b, t)),
            iter: 1000);
    }

    [Fact]
    public void CoversAgreesWithBruteForce()
    {
        Gen.Select(TopicGen.Filter, TopicGen.Filter).Sample(
            (outer, inner) => FilterRelation.Covers(outer, inner) == Universe.All(t => !TopicFilter.Matches(inner, t) || TopicFilter.Matches(outer, t)),
            iter: 1000);
    }

    private static string[] AllTopics(string[] levels, int maxLevels)
    {
        var topics = new List<string>();
        var current = levels.ToList();
        for (var depth = 1; depth <= maxLevels; depth++)
        {
            topics.AddRange(current);
            current = [.. current.SelectMany(prefix => levels.Select(level => $"{prefix}/{level}"))];
        }

        return [.. topics.Where(TopicName.IsValid)];
    }
}
