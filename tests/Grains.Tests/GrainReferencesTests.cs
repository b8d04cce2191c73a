using MqttCluster.Grains.Tests.Sessions;
using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests;

/// <summary>
/// <see cref="GrainReferences"/> builds the references after the first from the grain and interface types it kept:
/// they must address the same grain, through the same interface, as Orleans' own <c>GetGrain</c>, and calls through
/// them reach it.
/// </summary>
public sealed class GrainReferencesTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public void References_after_the_first_address_the_grain_Orleans_resolves()
    {
        foreach (var clientId in new[] { NewClientId("first"), NewClientId("second"), NewClientId("third") })
        {
            var ours = (GrainReference)(object)GrainReferences.Get<ISessionGrain>(cluster.Client, clientId);
            var orleans = (GrainReference)(object)cluster.Client.GetGrain<ISessionGrain>(clientId);

            Assert.Equal(orleans.GrainId, ours.GrainId);
            Assert.Equal(orleans.InterfaceType, ours.InterfaceType);
            Assert.Equal(orleans, ours);
        }

        var topic = (GrainReference)(object)GrainReferences.Get<ITopicGrain>(cluster.Client, "sensors/a/temperature");
        Assert.Equal(((GrainReference)(object)cluster.Client.GetGrain<ITopicGrain>("sensors/a/temperature")).GrainId, topic.GrainId);
    }

    [Fact]
    public async Task A_call_through_a_later_reference_reaches_the_grain()
    {
        _ = GrainReferences.Get<ISessionGrain>(cluster.Client, NewClientId("warm"));
        var clientId = NewClientId("called");

        var connected = await GrainReferences.Get<ISessionGrain>(cluster.Client, clientId)
            .ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        var again = await cluster.Client.GetGrain<ISessionGrain>(clientId).ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));

        // The second CONNECT found the session the first one created: one grain, whichever way it was addressed.
        Assert.True(again.SessionPresent);
        Assert.True(again.Epoch > connected.Epoch);
    }

    [Fact]
    public void A_blank_key_is_refused_as_Orleans_refuses_it()
    {
        Assert.ThrowsAny<ArgumentException>(() => GrainReferences.Get<ITopicGrain>(cluster.Client, " "));
    }
}
