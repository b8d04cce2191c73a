using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// Messages that could not reach a connection (its gateway stopped, or the client had just moved) come back to the
/// session grain: a newer connection that already resumed the session gets those it lacks; otherwise the session
/// keeps them for its next resume. None is dropped.
/// </summary>
public sealed class SessionRescueTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public async Task Messages_for_the_previous_connection_go_to_the_connection_that_resumed_since()
    {
        var (session, gatewayB, first, second) = await MovedSessionAsync("moved", "sensors/#");
        var missed = Message("sensors/b", "sent to the old gateway");
        var notSubscribed = Message("other/c", "never subscribed");

        await session.RescueAsync(first, [missed, notSubscribed], batch: null);

        // Only the matching message, at the subscription's QoS, to the connection holding the newer epoch.
        var (epoch, message) = Assert.Single(gatewayB.Rescued);
        Assert.Equal(second, epoch);
        Assert.Equal(missed.MessageId, message.Message.MessageId);
        Assert.Equal(1, message.QualityOfService);
    }

    [Fact]
    public async Task A_failed_delivery_goes_to_the_connection_it_was_for_with_its_batch()
    {
        var clientId = NewClientId("answer-lost");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = new TakeoverGateway();
        var connected = await session.ConnectAsync(cluster.Request("gw-a", gateway));
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = "t/#", MaximumQoS = 1 }], []);
        var batch = new DeliveryBatch(Guid.NewGuid(), 7);
        var message = Message("t/1", "its answer was lost");

        await session.RescueAsync(connected.Epoch, [message], batch);

        // The gateway decides by the batch whether its connection has the message already; nothing is queued.
        var (epoch, rescued) = Assert.Single(gateway.Rescued);
        Assert.Equal(connected.Epoch, epoch);
        Assert.Equal(message.MessageId, rescued.Message.MessageId);
        Assert.Equal(batch, Assert.Single(gateway.RescuedBatches));
        var next = await session.ConnectAsync(cluster.Request("gw-b", new TakeoverGateway()));
        Assert.Empty((await session.ResumeAsync(next.Epoch)).Queued);
    }

    [Fact]
    public async Task A_restarted_sessions_registry_waits_for_its_gateway_to_refill_it_before_rescuing()
    {
        var gatewayId = $"gw-{Guid.NewGuid():N}";
        var clientId = NewClientId("registry");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = new TakeoverGateway();
        var connected = await session.ConnectAsync(cluster.Request(gatewayId, gateway));
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = "r/#", MaximumQoS = 1 }], []);

        // A registry activation that no gateway has refilled yet (as after its silo restarted) asks for it, and a
        // rescue waits for the refill rather than reaching no session.
        var registry = cluster.Client.GetGrain<IGatewaySessionsGrain>(gatewayId);
        Assert.True(await registry.NeedsRestoreAsync());
        var message = Message("r/1", "delivery to the gateway failed");
        var rescue = registry.RescueAsync([message], new DeliveryBatch(Guid.NewGuid(), 1));
        await Task.Delay(200);
        Assert.False(rescue.IsCompleted);

        await registry.RestoreAsync(new Dictionary<string, long> { [clientId] = connected.Epoch });
        await rescue;

        Assert.False(await registry.NeedsRestoreAsync());
        Assert.Equal(message.MessageId, Assert.Single(gateway.Rescued).Message.Message.MessageId);
    }

    [Fact]
    public async Task A_message_the_resume_already_handed_out_is_not_sent_again()
    {
        var clientId = NewClientId("handed-out");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var first = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        await session.ResumeAsync(first.Epoch);
        await session.UpdateSubscriptionsAsync(first.Epoch, [new SessionSubscription { Filter = "t/#", MaximumQoS = 1 }], []);
        await session.DisconnectAsync(first.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });
        var queued = Message("t/1", "queued while offline");
        await session.EnqueueAsync([queued]);

        var gatewayB = new TakeoverGateway();
        var second = await session.ConnectAsync(cluster.Request("gw-b", gatewayB));
        var resume = await session.ResumeAsync(second.Epoch);
        Assert.Equal([queued.MessageId], resume.Queued.Select(m => m.Message.MessageId));

        // The old gateway rescues the same message late: the new connection has it from its resume.
        await session.RescueAsync(first.Epoch, [queued], batch: null);
        Assert.Empty(gatewayB.Rescued);
    }

    [Fact]
    public async Task When_the_newer_connection_cannot_take_them_the_session_keeps_them()
    {
        var (session, gatewayB, first, _) = await MovedSessionAsync("unreachable", "alarms/+");
        gatewayB.TakesRescued = false;
        var missed = Message("alarms/door", "open");

        await session.RescueAsync(first, [missed], batch: null);

        // The connection B was said to hold is gone; the next connection gets the message with its resume.
        var third = await session.ConnectAsync(cluster.Request("gw-c", new TakeoverGateway()));
        var resume = await session.ResumeAsync(third.Epoch);
        Assert.Contains(missed.MessageId, resume.Queued.Select(m => m.Message.MessageId));
    }

    /// <summary>A persistent session subscribed to <paramref name="filter"/> on gateway A, then resumed on B.</summary>
    private async Task<(ISessionGrain Session, TakeoverGateway GatewayB, long FirstEpoch, long SecondEpoch)> MovedSessionAsync(string prefix, string filter)
    {
        var session = cluster.Client.GetGrain<ISessionGrain>(NewClientId(prefix));
        var first = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        await session.ResumeAsync(first.Epoch);
        await session.UpdateSubscriptionsAsync(first.Epoch, [new SessionSubscription { Filter = filter, MaximumQoS = 1 }], []);
        var gatewayB = new TakeoverGateway();
        var second = await session.ConnectAsync(cluster.Request("gw-b", gatewayB));
        await session.ResumeAsync(second.Epoch);
        return (session, gatewayB, first.Epoch, second.Epoch);
    }
}
