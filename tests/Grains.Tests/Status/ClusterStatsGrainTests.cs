namespace MqttCluster.Grains.Tests.Status;

/// <summary>The cluster stats grain in a two-silo cluster: gateway reports, membership and the retained count.</summary>
public sealed class ClusterStatsGrainTests
{
    [Fact]
    public async Task The_status_has_the_reporting_gateway_both_silos_and_the_retained_count()
    {
        await using var cluster = await BrokerTestCluster.StartAsync(silos: 2);
        try
        {
            await cluster.Client.GetGrain<ITopicGrain>("stats/a").PublishAsync([Messages.Create("stats/a", "1", retain: true)]);
            await cluster.Client.GetGrain<ITopicGrain>("other/b").PublishAsync([Messages.Create("other/b", "2", retain: true)]);
            var stats = cluster.Client.GetGrain<IClusterStatsGrain>(IClusterStatsGrain.Key);

            await stats.ReportAsync(new NodeReport
            {
                Node = "node-1",
                GatewayId = "gateway-1",
                HostName = "host",
                Connections = 3,
                Subscriptions = 2,
                Counters = NodeCounters.Zero with { MessagesReceived = 7 },
                Clients = [new ConnectedClient("client-1", "127.0.0.1:1", "V500")],
            });
            var status = await stats.GetStatusAsync();

            var gateway = Assert.Single(status.Gateways);
            Assert.Equal("client-1", Assert.Single(gateway.Report.Clients).ClientId);
            Assert.Equal(3, status.Connections);
            Assert.Equal(7, status.Totals.MessagesReceived);
            Assert.Equal(2, status.Silos.Count(s => s.State == "Active"));
            Assert.Equal(2, status.RetainedMessages);
        }
        finally
        {
            cluster.DeleteData();
        }
    }
}
