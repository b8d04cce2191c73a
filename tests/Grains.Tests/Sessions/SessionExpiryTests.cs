using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// An offline persistent session lives for its expiry interval on the silo clock, then leaves nothing behind: no
/// registry entry, no offline routes, no stored state, no activation (issue: no memory growth from abandoned
/// sessions; MQTT 5 3.1.2.11.2).
/// </summary>
public sealed class SessionExpiryTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    private const uint Expiry = 10;

    [Fact]
    public async Task Expired_session_leaves_no_state_behind()
    {
        var clientId = NewClientId("expiry");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = Expiry });
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = $"{clientId}/#", MaximumQoS = 1 }], []);
        await session.GoingOfflineAsync(connected.Epoch);
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });

        // Offline: listed for restarts, routable, and queueing what is published for it.
        await cluster.Client.GetGrain<ITopicGrain>($"{clientId}/t").PublishAsync([Message($"{clientId}/t", "queued")]);
        Assert.True(await IsRegisteredAsync(clientId));
        Assert.True(await HasOfflineRoutesAsync(clientId));

        cluster.Clock.Advance(TimeSpan.FromSeconds(Expiry) - TimeSpan.FromMilliseconds(1));
        Assert.True(await IsRegisteredAsync(clientId), "the session must live until its expiry interval passed");

        cluster.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(async () => !await IsRegisteredAsync(clientId), "the registry entry to go");
        await EventuallyAsync(async () => !await HasOfflineRoutesAsync(clientId), "the offline routes to go");
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the session grain to be deactivated");

        // A new activation reads the store: nothing there.
        var again = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = Expiry });
        Assert.False(again.SessionPresent);
        Assert.Empty(again.Subscriptions);
        Assert.Empty((await session.ResumeAsync(again.Epoch)).Queued);
    }

    [Fact]
    public async Task An_expiry_beyond_what_one_timer_can_wait_is_kept()
    {
        // 60 days: more than the 49.7 days a single .NET timer can wait (it threw, and the session was never
        // handed back nor woken after a restart).
        var clientId = NewClientId("long");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = 60 * 24 * 3600 });
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = $"{clientId}/#", MaximumQoS = 1 }], []);
        await session.GoingOfflineAsync(connected.Epoch);
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });

        cluster.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await IsRegisteredAsync(clientId));
        var again = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = 60 * 24 * 3600 });
        Assert.True(again.SessionPresent);
        Assert.Single(again.Subscriptions);
    }

    [Fact]
    public async Task The_longest_MQTT_5_expiry_is_kept()
    {
        // 0xFFFFFFFF seconds, about 136 years (3.1.2.11.2): the session's timer waits in steps of 7 days; after
        // 8 days it has fired once, found nothing due and been set again, and the session stays.
        var clientId = NewClientId("forever");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = uint.MaxValue });
        await session.ResumeAsync(connected.Epoch);
        await session.GoingOfflineAsync(connected.Epoch);
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });

        cluster.Clock.Advance(TimeSpan.FromDays(8));
        Assert.True(await IsRegisteredAsync(clientId));
        var again = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = uint.MaxValue });
        Assert.True(again.SessionPresent);
    }

    [Fact]
    public async Task Session_ending_with_its_connection_is_never_stored()
    {
        var clientId = NewClientId("transient");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gateway = cluster.Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, CleanStart = true });
        await session.ResumeAsync(connected.Epoch);
        Assert.False(await IsRegisteredAsync(clientId));

        // Expiry 0: the session ends with the connection (3.1.2.11.2); it is never stored or registered.
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });
        await EventuallyAsync(async () => !await IsActiveAsync(session), "the session grain to be deactivated");
        Assert.False(await IsRegisteredAsync(clientId));
    }

    private async Task<bool> IsRegisteredAsync(string clientId) =>
        (await cluster.Client.GetGrain<ISessionRegistryGrain>(ISessionRegistryGrain.Partition(clientId)).GetClientIdsAsync()).Contains(clientId);

    private async Task<bool> HasOfflineRoutesAsync(string clientId)
    {
        var snapshot = await cluster.Client.GetGrain<IRouteIndexGrain>(0).GetSnapshotAsync();
        return snapshot.Targets.Any(t => t.Target == RouteTarget.Session(clientId) && t.Filters.Length > 0);
    }

    private async Task<bool> IsActiveAsync(ISessionGrain session)
    {
        var grainId = session.GetGrainId();
        var active = await cluster.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(grainId.Type);
        return active.Contains(grainId);
    }
}
