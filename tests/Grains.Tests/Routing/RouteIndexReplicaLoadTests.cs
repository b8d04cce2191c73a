using Microsoft.Extensions.Logging.Abstractions;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Tests.Routing;

/// <summary>
/// A silo's route replica says when it knows the routes (topic grains activated before that wait for it), and on a
/// restarted route index carries over the routes of targets the new index does not know yet, but not of those it removed.
/// </summary>
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

    [Fact]
    public async Task A_snapshot_overtaken_by_deltas_is_not_loaded()
    {
        // A replica's refresh asked at version 1; deltas 2 and 3 arrived before the answer, a snapshot of version 2.
        var replica = new RouteIndexReplica(TimeProvider.System, NullLogger<RouteIndexReplica>.Instance);
        var epoch = Guid.NewGuid();
        replica.Load(new RouteSnapshot { Epoch = epoch, Version = 1, Targets = [] });
        await replica.ApplyAsync(new RouteDelta { Epoch = epoch, Version = 2, Target = RouteTarget.Session("a"), AddedFilters = ["a/#"] });
        await replica.ApplyAsync(new RouteDelta { Epoch = epoch, Version = 3, Target = RouteTarget.Session("b"), AddedFilters = ["b/#"] });

        replica.Load(new RouteSnapshot { Epoch = epoch, Version = 2, Targets = [new TargetRoutes(RouteTarget.Session("a"), null, ["a/#"])] });

        Assert.Equal((epoch, 3L), replica.Position);
        Assert.Equal("b", Assert.Single(replica.Match("b/c").FanOut).SessionClientId);
        await replica.ApplyAsync(new RouteDelta { Epoch = epoch, Version = 4, Target = RouteTarget.Session("c"), AddedFilters = ["c/#"] });
    }

    [Fact]
    public void A_new_index_carries_unknown_targets_but_not_removed_ones()
    {
        var replica = new RouteIndexReplica(TimeProvider.System, NullLogger<RouteIndexReplica>.Instance);
        replica.Load(new RouteSnapshot
        {
            Epoch = Guid.NewGuid(),
            Version = 1,
            Targets = [new TargetRoutes(RouteTarget.Session("stopped"), null, ["a/#"]), new TargetRoutes(RouteTarget.Session("quiet"), null, ["a/#"])],
        });

        // The index restarted: it knows neither target yet, and it removed one of them (its gateway stopped).
        replica.Load(new RouteSnapshot { Epoch = Guid.NewGuid(), Version = 1, Targets = [], RemovedTargets = [RouteTarget.Session("stopped")] });

        Assert.Equal(["quiet"], replica.Match("a/b").FanOut.Select(d => d.SessionClientId));
    }
}
