namespace MqttCluster.Grains.Tests.Admin;

/// <summary>The gateway directory: connections of every registered gateway merged, filtered and paged; a client
/// disconnected on the gateway that holds it; a gateway whose call fails is left out and then dropped.</summary>
public sealed class GatewayDirectoryGrainTests
{
    [Fact]
    public async Task Every_gateway_is_asked_and_a_failing_one_is_dropped()
    {
        var cluster = await BrokerTestCluster.StartAsync(silos: 2);
        try
        {
            var directory = cluster.Client.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);
            var gatewayA = new ModelGatewayAdmin("a", broken: false, "c1", "c3");
            var gatewayB = new ModelGatewayAdmin("b", broken: false, "c2");
            var gone = new ModelGatewayAdmin("gone", broken: true, "c4");
            foreach (var gateway in new[] { gatewayA, gatewayB, gone })
            {
                await directory.RegisterAsync(cluster.Client.CreateObjectReference<IGatewayAdminObserver>(gateway));
            }

            var page = await directory.ListClientsAsync(new ConnectionQuery { ClientIdPrefix = "c", Offset = 1, Count = 1 });
            Assert.Equal((3, 3, 2), (page.TotalCount, page.GatewaysAsked, page.GatewaysAnswered));
            Assert.Equal(("c2", "b"), (Assert.Single(page.Connections).ClientId, page.Connections[0].Node));

            var onA = await directory.ListClientsAsync(new ConnectionQuery { Node = "a" });
            Assert.Equal(["c1", "c3"], onA.Connections.Select(c => c.ClientId));
            Assert.Equal(2, onA.GatewaysAsked);

            Assert.Equal(1, await directory.DisconnectClientAsync("c3", "test"));
            Assert.Equal(["c3"], gatewayA.Disconnected);
            Assert.Equal(["c3"], gatewayB.Disconnected);
            Assert.Equal(0, await directory.DisconnectClientAsync("nobody", "test"));

            // An Orleans client holds its observers weakly: one collected drops calls unanswered (the directory
            // then waits 10 s) instead of failing them, so the broken gateway stays alive to the end (Release builds
            // let the JIT end a local's life at its last use).
            GC.KeepAlive(gone);
        }
        finally
        {
            await cluster.DisposeAsync();
            cluster.DeleteData();
        }
    }
}
