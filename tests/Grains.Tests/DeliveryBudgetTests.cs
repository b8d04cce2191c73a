using System.Reflection;
using MqttCluster.Core.Delivery;
using MqttCluster.Grains.Sessions;
using MqttCluster.Grains.Topics;

namespace MqttCluster.Grains.Tests;

/// <summary>
/// The windows on the delivery path that must stay ordered against each other (docs/delivery.md A.5), checked where
/// they are defined, so that changing one cannot silently break another.
/// </summary>
public sealed class DeliveryBudgetTests
{
    [Fact]
    public void The_attempt_timeout_is_the_deliveries_response_timeout()
    {
        var timeout = typeof(IGatewayObserver).GetMethod(nameof(IGatewayObserver.DeliverAsync))!.GetCustomAttribute<ResponseTimeoutAttribute>()!;

        Assert.Equal(DeliveryBudget.AttemptTimeout, timeout.Timeout);
    }

    [Fact]
    public void The_publish_timeout_is_the_publishes_response_timeout_and_outlasts_a_batch()
    {
        var timeout = typeof(ITopicGrain).GetMethod(nameof(ITopicGrain.PublishAsync))!.GetCustomAttribute<ResponseTimeoutAttribute>()!;

        Assert.Equal(DeliveryBudget.PublishTimeout, timeout.Timeout);

        // A gateway that gave up earlier would tell the client "not accepted" for a message still on its way.
        Assert.True(DeliveryBudget.PublishTimeout > DeliveryBudget.BatchSpan, $"{DeliveryBudget.PublishTimeout} <= {DeliveryBudget.BatchSpan}");
    }

    [Fact]
    public void A_connect_waits_longer_than_a_takeover_may_take()
    {
        var timeout = typeof(ISessionGrain).GetMethod(nameof(ISessionGrain.ConnectAsync))!.GetCustomAttribute<ResponseTimeoutAttribute>()!;

        Assert.Equal(DeliveryBudget.SessionConnectTimeout, timeout.Timeout);

        // The takeover's wait, then the session's storage writes: a CONNECT that timed out first would be retried
        // and taken for a takeover of itself.
        Assert.True(DeliveryBudget.SessionConnectTimeout >= DeliveryBudget.RescueBound * 2, $"{DeliveryBudget.SessionConnectTimeout} < 2 * {DeliveryBudget.RescueBound}");
    }

    [Fact]
    public void A_late_copy_comes_within_the_redelivery_horizon()
    {
        // A batch's last attempt ends RetrySpan after its first; its rescue hands the messages to the session's
        // connection within RescueBound. Whatever must recognise or take a late copy must last longer.
        Assert.True(RedeliveryHorizon.Length > DeliveryBudget.RetrySpan + DeliveryBudget.RescueBound, $"{RedeliveryHorizon.Length} <= {DeliveryBudget.RetrySpan} + {DeliveryBudget.RescueBound}");
    }

    [Fact]
    public void Everything_that_waits_for_late_copies_lasts_the_redelivery_horizon()
    {
        // The gateway's side (departed sessions, batches taken) is checked in Gateway.Tests.
        Assert.Equal(RedeliveryHorizon.Length, DeliveryLedger.Horizon);
        Assert.Equal(RedeliveryHorizon.Length, GatewaySessionsGrain.DepartedMemory);
    }

    [Fact]
    public void A_takeover_answers_well_inside_the_session_grains_wait()
    {
        // The old connection's gateway first lets the PUBLISH packets it read take effect, then hands back; the
        // hand-back must still find the session grain waiting for it (half of its wait leaves room for the call).
        Assert.True(SessionTakeoverBudget.InboundForwardingWait * 2 <= DeliveryBudget.RescueBound, $"{SessionTakeoverBudget.InboundForwardingWait} * 2 > {DeliveryBudget.RescueBound}");
    }
}
