using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// The session grain decides which connection owns a client id, whichever gateway it is on: a CONNECT elsewhere
/// takes the session over from the owning gateway [MQTT-3.1.4-3] and continues with what it had not finished.
/// </summary>
public sealed class SessionTakeoverTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public async Task Connect_on_another_gateway_takes_over_and_gets_the_unfinished_state()
    {
        var clientId = NewClientId("takeover");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var inflight = Outbound("t", "sent, not acknowledged", packetId: 5);
        var pending = Outbound("t", "waiting behind the window");
        var gatewayA = new TakeoverGateway
        {
            Handoff = new SessionHandoff { Kind = DisconnectKind.Lost, Inflight = [inflight], Pending = [pending], InboundQos2 = [7], ResumeApplied = true },
        };
        var gatewayB = new TakeoverGateway();

        var a = await session.ConnectAsync(cluster.Request("gw-a", gatewayA));
        await session.ResumeAsync(a.Epoch);
        var b = await session.ConnectAsync(cluster.Request("gw-b", gatewayB));

        // Gateway A was asked to close the connection holding A's epoch; B continues the session.
        Assert.Equal([(clientId, a.Epoch)], gatewayA.TakeOvers);
        Assert.Empty(gatewayB.TakeOvers);
        Assert.True(b.SessionPresent);
        Assert.True(b.Epoch > a.Epoch);
        var resume = await session.ResumeAsync(b.Epoch);
        Assert.Equal([(inflight.Message.MessageId, (ushort)5)], resume.Inflight.Select(m => (m.Message.MessageId, m.PacketId)));
        Assert.Equal([pending.Message.MessageId], resume.Queued.Select(m => m.Message.MessageId));
        Assert.Equal([(ushort)7], resume.InboundQos2);

        // A's connection can no longer touch the session: its late reports are ignored.
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.ResumeAsync(a.Epoch));
        await session.DisconnectAsync(a.Epoch, new SessionHandoff { Kind = DisconnectKind.Lost, Pending = [Outbound("t", "late")] });
        var c = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        Assert.Equal([(clientId, b.Epoch)], gatewayB.TakeOvers);
        var last = await session.ResumeAsync(c.Epoch);
        Assert.Empty(last.Inflight);
        Assert.Empty(last.Queued);
    }

    [Fact]
    public async Task Connection_taken_over_before_it_resumed_leaves_the_stored_state_in_place()
    {
        var clientId = NewClientId("early");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var inflight = Outbound("t", "unacknowledged", packetId: 9);
        var queued = Outbound("t", "queued");
        var first = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        await session.ResumeAsync(first.Epoch);
        await session.DisconnectAsync(first.Epoch, new SessionHandoff { Kind = DisconnectKind.Lost, Inflight = [inflight], Pending = [queued], InboundQos2 = [3] });

        // B connects but is taken over before it took the stored state; it had held back one live message.
        var heldLive = Outbound("t", "live, held back");
        var gatewayB = new TakeoverGateway { Handoff = new SessionHandoff { Kind = DisconnectKind.Lost, Pending = [heldLive] } };
        await session.ConnectAsync(cluster.Request("gw-b", gatewayB));
        var c = await session.ConnectAsync(cluster.Request("gw-c", new TakeoverGateway()));

        // Nothing of the stored state reached B's client: C gets all of it, in order, then what B held back
        // [MQTT-4.4.0-1], [MQTT-4.6.0-6].
        var resume = await session.ResumeAsync(c.Epoch);
        Assert.Equal([(inflight.Message.MessageId, (ushort)9)], resume.Inflight.Select(m => (m.Message.MessageId, m.PacketId)));
        Assert.Equal([queued.Message.MessageId, heldLive.Message.MessageId], resume.Queued.Select(m => m.Message.MessageId));
        Assert.Equal([(ushort)3], resume.InboundQos2);
    }

    [Fact]
    public async Task Takeover_of_a_connection_that_ended_its_session_starts_a_new_one()
    {
        var clientId = NewClientId("ended");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var will = Message("wills/ended", "will");

        // The old connection had sent DISCONNECT 0x00 with session expiry 0 and was handing the session back when
        // the new CONNECT arrived: its session ends (3.14.2.2.2) and its will is discarded [MQTT-3.14.4-3].
        var gatewayA = new TakeoverGateway { Handoff = new SessionHandoff { Kind = DisconnectKind.Normal, SessionExpiryInterval = 0, Pending = [Outbound("t", "of the ended session")] } };
        var a = await session.ConnectAsync(cluster.Request("gw-a", gatewayA) with { Will = will });
        await session.ResumeAsync(a.Epoch);
        await session.UpdateSubscriptionsAsync(a.Epoch, [new SessionSubscription { Filter = "ended/#", MaximumQoS = 1 }], []);

        var b = await session.ConnectAsync(cluster.Request("gw-b", new TakeoverGateway()));
        Assert.False(b.SessionPresent);
        Assert.Empty(b.Subscriptions);
        Assert.Empty((await session.ResumeAsync(b.Epoch)).Queued);
    }

    [Fact]
    public async Task Gateway_that_no_longer_has_the_connection_does_not_block_the_takeover()
    {
        var clientId = NewClientId("gone");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gone = new TakeoverGateway { Handoff = null };
        var a = await session.ConnectAsync(cluster.Request("gw-a", gone));
        await session.ResumeAsync(a.Epoch);
        await session.UpdateSubscriptionsAsync(a.Epoch, [new SessionSubscription { Filter = "kept/#", MaximumQoS = 1 }], []);

        // The connection is not at its gateway any more (null handoff): the stored session continues.
        var b = await session.ConnectAsync(cluster.Request("gw-b", new TakeoverGateway()));
        Assert.True(b.SessionPresent);
        Assert.Equal(["kept/#"], b.Subscriptions.Select(s => s.Filter));
    }
}
