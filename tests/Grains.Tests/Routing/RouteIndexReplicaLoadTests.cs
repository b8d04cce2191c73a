using Microsoft.Extensions.Logging.Abstractions;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Tests.Routing;

/// <summary>A silo's route replica says when it knows the routes, so topic grains activated before that wait for it.</summary>
public sealed class RouteIndexReplicaLoadTests
{
    [Fact]
    public void Loaded_completes_with_the_first_snapshot_not_before()
    {
        var replica = new RouteIndexReplica(TimeProvider.System, NullLogger<RouteIndexReplica>.Instance);
        Assert.False(replica.Loaded.IsCompleted);
        Assert.Empty(replica.Match("a/b").FanOut);

        replica.Load(new RouteSnapshot { Epoch = Guid.NewGuid(), Version = 3, Targets = [new TargetRoutes(RouteTarget.Session("c"), null, ["a/#"])] });

        Assert.True(replica.Loaded.IsCompletedSuccessfully);
        Assert.Equal("c", Assert.Single(replica.Match("a/b").FanOut).SessionClientId);
    }
}
