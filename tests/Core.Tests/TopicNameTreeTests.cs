using CsCheck;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Tests;

public class TopicNameTreeTests
{
    [Fact]
    public void AddRemoveAndContains()
    {
        var tree = new TopicNameTree();
        Assert.True(tree.Add("sport/tennis"));
        Assert.False(tree.Add("sport/tennis"));
        Assert.True(tree.Add("sport"));
        Assert.Equal(2, tree.Count);
        Assert.True(tree.Contains("sport"));
        Assert.False(tree.Contains("sport/"));

        Assert.True(tree.Remove("sport"));
        Assert.False(tree.Remove("sport"));
        Assert.False(tree.Contains("sport"));
        Assert.True(tree.Contains("sport/tennis"));
        Assert.Equal(1, tree.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/+")]
    [InlineData("#")]
    public void RejectsInvalidTopicNames(string topic)
    {
        Assert.Throws<ArgumentException>(() => new TopicNameTree().Add(topic));
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("$share/g/#")]
    public void RejectsFiltersItCannotMatch(string filter)
    {
        Assert.Throws<ArgumentException>(() => new TopicNameTree().Match(filter));
    }

    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon")]
    [InlineData("sport/#", "sport", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon", "sport/tennis/player2")]
    [InlineData("sport/tennis/+", "sport/tennis/player1", "sport/tennis/player2")]
    [InlineData("+", "finance", "sport")]
    [InlineData("+/+", "/finance")]
    [InlineData("/+", "/finance")]
    [InlineData("#", "/finance", "finance", "sport", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon", "sport/tennis/player2")]
    [InlineData("$SYS/#", "$SYS", "$SYS/monitor/Clients")]
    [InlineData("+/monitor/Clients")]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients")]
    public void MatchesLikeTheSpecExamples(string filter, params string[] expected)
    {
        var tree = new TopicNameTree();
        foreach (var topic in new[]
                 {
                     "sport", "sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon",
                     "sport/tennis/player2", "finance", "/finance", "$SYS", "$SYS/monitor/Clients",
                 })
        {
            tree.Add(topic);
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), tree.Match(filter).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RemovePrunesEmptyNodes()
    {
        var tree = new TopicNameTree();
        tree.Add("a/b/c");
        tree.Add("a");
        Assert.Equal(3, tree.NodeCount);
        tree.Remove("a/b/c");
        Assert.Equal(1, tree.NodeCount);
        tree.Remove("a");
        Assert.Equal(0, tree.NodeCount);
    }

    [Fact]
    public void DeepTopicsMatchWithoutRecursion()
    {
        var deep = new string('/', 20_000); // 20001 empty levels
        var tree = new TopicNameTree();
        tree.Add(deep);
        Assert.Equal([deep], tree.Match("#"));
        Assert.Equal([deep], tree.Match(string.Join('/', Enumerable.Repeat("+", 20_001))));
        Assert.True(tree.Remove(deep));
        Assert.Equal(0, tree.NodeCount);
    }

    /// <summary>
    /// Property: Match returns exactly the stored topics a brute-force scan with <see cref="MatchOracle"/>
    /// finds, before and after removing half of them; removing all leaves no nodes.
    /// </summary>
    [Fact]
    public void MatchAgreesWithBruteForceAcrossAddsAndRemoves()
    {
        Gen.Select(TopicGen.Topic.List[0, 30], TopicGen.Filter.Array[1, 12]).Sample(
            (topics, filters) =>
            {
                var tree = new TopicNameTree();
                var model = new HashSet<string>(StringComparer.Ordinal);
                foreach (var topic in topics)
                {
                    Assert.Equal(model.Add(topic), tree.Add(topic));
                }

                AssertAgrees(tree, model, filters);

                for (var i = 0; i < topics.Count; i += 2)
                {
                    Assert.Equal(model.Remove(topics[i]), tree.Remove(topics[i]));
                }

                AssertAgrees(tree, model, filters);

                foreach (var topic in topics)
                {
                    Assert.Equal(model.Remove(topic), tree.Remove(topic));
                }

                AssertAgrees(tree, model, filters);
                Assert.Equal(0, tree.NodeCount);
            },
            iter: 2_000);
    }

    private static void AssertAgrees(TopicNameTree tree, HashSet<string> model, string[] filters)
    {
        Assert.Equal(model.Count, tree.Count);
        Assert.All(model, t => Assert.True(tree.Contains(t)));
        foreach (var filter in filters)
        {
            var expected = model.Where(t => MatchOracle.Matches(filter, t)).Order(StringComparer.Ordinal);
            Assert.Equal(expected, tree.Match(filter).Order(StringComparer.Ordinal));
        }
    }
}
