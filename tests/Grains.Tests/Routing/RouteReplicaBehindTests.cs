using MqttCluster.Grains.Tests.Failures;
using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Routing;

/// <summary>
/// A route change is answered (and the client gets its SUBACK) only once every silo's replica routes it: a replica
/// that refuses a delta is brought up to date with a snapshot before the route index answers, not left behind until
/// its own next refresh.
/// </summary>
public sealed class RouteReplicaBehindTests
{
    [Fact]
    public async Task A_subscription_whose_delta_every_replica_refused_is_routed_on_every_silo_when_the_call_returns()
    {
        await using var cluster = await FailureCluster.StartAsync();
        var gateway = await cluster.GatewayAsync("gw");
        var topics = new[] { "behind/primary", "behind/secondary" };
        await cluster.PlaceAsync(cluster.Client.GetGrain<ITopicGrain>(topics[0]), cluster.Primary);
        await cluster.PlaceAsync(cluster.Client.GetGrain<ITopicGrain>(topics[1]), cluster.Secondary);

        // Both silos' replicas refuse every delta of the connection and its subscription, as a replica that missed
        // one refuses the next.
        var refused = cluster.Faults.Fail(
            call => call.InterfaceMethod.DeclaringType == typeof(IRouteReplicaObserver) && call.InterfaceMethod.Name == nameof(IRouteReplicaObserver.ApplyAsync),
            () => new InvalidOperationException("Route delta out of order (test fault)."));
        var subscriber = await gateway.ConnectAsync(NewClientId("behind"), "behind/#");
        refused.Stop();
        Assert.True(refused.Hits >= 2, $"the replicas refused {refused.Hits} delta(s)");

        // At once, long before a replica's own refresh (RouteReplicaSynchronizer.RefreshInterval) could catch up.
        var messages = topics.Select(topic => Message(topic, "published right after the SUBACK")).ToArray();
        for (var i = 0; i < topics.Length; i++)
        {
            await cluster.Client.GetGrain<ITopicGrain>(topics[i]).PublishAsync([messages[i]]);
        }

        Assert.All(messages, message => Assert.Equal(1, subscriber.Copies(message.MessageId)));
    }
}
