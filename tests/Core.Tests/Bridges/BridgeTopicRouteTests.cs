using MqttCluster.Core.Bridges;

namespace MqttCluster.Core.Tests.Bridges;

/// <summary>Topic remapping as the table in <c>man 5 mosquitto.conf</c> (topic option) describes it.</summary>
public class BridgeTopicRouteTests
{
    [Theory]
    [InlineData("pattern", "L/", "R/", "L/pattern", "R/pattern")]
    [InlineData("pattern", "L/", "", "L/pattern", "pattern")]
    [InlineData("pattern", "", "R/", "pattern", "R/pattern")]
    [InlineData("pattern", "", "", "pattern", "pattern")]
    [InlineData("", "local", "remote", "local", "remote")]
    public void MosquittosTableOfPrefixes(string pattern, string localPrefix, string remotePrefix, string localTopic, string remoteTopic)
    {
        var route = new BridgeTopicRoute(pattern, localPrefix, remotePrefix);

        Assert.Equal((localTopic, remoteTopic), (route.LocalFilter, route.RemoteFilter));
        Assert.Equal(remoteTopic, route.ToRemote(localTopic));
        Assert.Equal(localTopic, route.ToLocal(remoteTopic));
    }

    [Theory]
    [InlineData("#", "pi/", "site/7/", "pi/kitchen/temp", "site/7/kitchen/temp")]
    [InlineData("+/temp", "pi/", "site/7/", "pi/kitchen/temp", "site/7/kitchen/temp")]
    [InlineData("clients/total", "test/mosquitto/org/", "$SYS/broker/", "test/mosquitto/org/clients/total", "$SYS/broker/clients/total")]
    public void WildcardPatternsKeepTheRestOfTheTopic(string pattern, string localPrefix, string remotePrefix, string localTopic, string remoteTopic)
    {
        var route = new BridgeTopicRoute(pattern, localPrefix, remotePrefix);

        Assert.Equal(remoteTopic, route.ToRemote(localTopic));
        Assert.Equal(localTopic, route.ToLocal(remoteTopic));
    }

    [Theory]
    [InlineData("other/kitchen/temp")]
    [InlineData("pi/kitchen/humidity")]
    [InlineData("pi")]
    public void TopicsOutsideTheRouteAreNotMapped(string topic)
    {
        var route = new BridgeTopicRoute("+/temp", "pi/", "site/");

        Assert.Null(route.ToRemote(topic));
    }

    [Theory]
    [InlineData("", "", "remote/", "both a local and a remote prefix")]
    [InlineData("#", "a/+/", "", "no wildcards")]
    [InlineData("a/#/b", "", "", "not a valid topic filter")]
    [InlineData("#", "local", "", "not a valid topic filter")]
    public void InvalidCombinations(string pattern, string localPrefix, string remotePrefix, string problem) =>
        Assert.Contains(problem, BridgeTopicRoute.Problem(pattern, localPrefix, remotePrefix), StringComparison.Ordinal);
}
