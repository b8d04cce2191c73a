using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Subscriptions;

namespace MqttCluster.Gateway.Tests.Cluster;

/// <summary>The gateway's windows against the redelivery horizon (the cluster's side: Grains.Tests DeliveryBudgetTests).</summary>
public sealed class RedeliveryHorizonTests
{
    [Fact]
    public void Departed_sessions_take_late_copies_for_the_whole_horizon()
    {
        Assert.Equal(RedeliveryHorizon.Length, DepartedSessions.GracePeriod);
    }

    [Fact]
    public void A_gateway_remembers_the_batches_it_took_for_longer_than_copies_can_come()
    {
        Assert.True(DeliveredBatches.Memory > RedeliveryHorizon.Length);
    }
}
