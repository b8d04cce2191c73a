using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// An offline persistent session lives in storage, not in memory (DESIGN, budgets; issue 15): its activation goes
/// once it is offline, a message for it activates it only to be queued and stored, and its will delay and expiry fire
/// on the silo clock from its registry partition's timer while no activation exists.
/// </summary>
public sealed class OfflineSessionTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public async Task Offline_session_deactivates_and_comes_back_with_its_queue()
    {
        var clientId = NewClientId("offline");
        var session = await GoOfflineAsync(clientId, $"{clientId}/#", expiry: 3600);
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the offline session to be deactivated");

        var topic = cluster.Client.GetGrain<ITopicGrain>($"{clientId}/t");
        string[] texts = ["one", "two", "three"];
        foreach (var text in texts)
        {
            await topic.PublishAsync([Message($"{clientId}/t", text)]);
        }

        // Each delivery activated it to queue and store; it goes again.
        await EventuallyAsync(async () => (await StoredAsync(clientId))!.QueuedMessages == 3, "three messages stored in the queue");
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the session to be deactivated after queueing");

        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var again = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = 3600 });
        Assert.True(again.SessionPresent);
        Assert.Single(again.Subscriptions);
        var resume = await session.ResumeAsync(again.Epoch);
        Assert.Equal(texts, resume.Queued.Select(m => System.Text.Encoding.UTF8.GetString(m.Message.Payload)));
    }

    [Fact]
    public async Task Will_delay_and_expiry_fire_while_the_session_is_deactivated()
    {
        var watcherId = NewClientId("watcher");
        var clientId = NewClientId("will");
        var willTopic = $"{clientId}/status";
        await GoOfflineAsync(watcherId, willTopic, expiry: 100_000);

        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest
        {
            GatewayId = "gw",
            Gateway = gateway,
            SessionExpiryInterval = 30,
            Will = Message(willTopic, "gone"),
            WillDelayInterval = 10,
        });
        await session.ResumeAsync(connected.Epoch);
        await session.GoingOfflineAsync(connected.Epoch);

        // Lost without DISCONNECT: the will waits for its delay [MQTT-3.1.3-9].
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Lost });
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the offline session to be deactivated");

        cluster.Clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, (await StoredAsync(watcherId))!.QueuedMessages);
        Assert.True((await StoredAsync(clientId))!.HasWill);

        cluster.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(async () => (await StoredAsync(watcherId))!.QueuedMessages == 1, "the will to reach the watcher");
        await EventuallyAsync(async () => (await StoredAsync(clientId))?.HasWill == false, "the will to be gone from the session");
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the session to be deactivated after its will");

        cluster.Clock.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await StoredAsync(clientId));

        cluster.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(async () => await StoredAsync(clientId) is null, "the session to expire");
        await EventuallyAsync(async () => !await IsRegisteredAsync(clientId), "the registry entry to go");
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the expired session to be deactivated");
    }

    private async Task<ISessionGrain> GoOfflineAsync(string clientId, string filter, uint expiry)
    {
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = expiry });
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = filter, MaximumQoS = 1 }], []);
        await session.GoingOfflineAsync(connected.Epoch);
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });
        return session;
    }

    /// <summary>What storage holds, read without activating the session.</summary>
    private Task<StoredSession?> StoredAsync(string clientId) => cluster.Client.GetGrain<IPersistentSessionsGrain>(0).GetAsync(clientId);

    private async Task<bool> IsRegisteredAsync(string clientId) =>
        (await cluster.Client.GetGrain<ISessionRegistryGrain>(ISessionRegistryGrain.Partition(clientId)).GetClientIdsAsync()).Contains(clientId);

    private async Task<bool> IsActiveAsync(ISessionGrain session)
    {
        var grainId = session.GetGrainId();
        var active = await cluster.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(grainId.Type);
        return active.Contains(grainId);
    }
}
