using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MqttCluster.Grains.Sessions;
using Orleans.Storage;
using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// Offline persistent sessions across a restart of the whole cluster (the single node's case), on one fake clock:
/// the new route index takes their routes from the session registry without activating one of them, and their will
/// delays and expiries fire on time from the registry's timers.
/// </summary>
public sealed class OfflineSessionRestartTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mqttcluster-grains-tests", Guid.NewGuid().ToString("N"));
    private readonly ClusterClock _clock = new(DateTimeOffset.UtcNow);
    private BrokerTestCluster? _cluster;

    private IClusterClient Client => _cluster!.Client;

    public async Task InitializeAsync() => _cluster = await StartAsync();

    public async Task DisposeAsync()
    {
        await _cluster!.DisposeAsync();
        _cluster.DeleteData();
    }

    [Fact]
    public async Task Route_index_after_a_restart_routes_to_offline_sessions_without_waking_them()
    {
        const int Sessions = 40;
        var clientIds = Enumerable.Range(0, Sessions).Select(i => NewClientId($"sleeper{i}")).ToArray();
        foreach (var clientId in clientIds)
        {
            await GoOfflineAsync(clientId, $"{clientId}/#", expiry: 3600);
        }

        await RestartAsync();

        // Up and routable, and not one session activated for it.
        Assert.Equal(Sessions, (await Client.GetGrain<IRouteIndexGrain>(0).GetSnapshotAsync()).Targets.Count(t => RouteTarget.IsSession(t.Target, out _)));
        Assert.Equal(0, await ActiveSessionCountAsync());

        var target = clientIds[7];
        await Client.GetGrain<ITopicGrain>($"{target}/t").PublishAsync([Message($"{target}/t", "after restart")]);
        await EventuallyAsync(async () => (await StoredAsync(target))?.QueuedMessages == 1, "the message to be queued for the offline session");
        await EventuallyAsync(async () => await ActiveSessionCountAsync() == 0, "the session to be deactivated after queueing");

        var session = Client.GetGrain<ISessionGrain>(target);
        var gateway = Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw2", Gateway = gateway, SessionExpiryInterval = 3600 });
        Assert.True(connected.SessionPresent);
        Assert.Single((await session.ResumeAsync(connected.Epoch)).Queued);
    }

    [Fact]
    public async Task Will_delay_and_expiry_fire_on_time_after_a_restart()
    {
        var watcherId = NewClientId("watcher");
        var clientId = NewClientId("will");
        var willTopic = $"{clientId}/status";
        await GoOfflineAsync(watcherId, willTopic, expiry: 100_000);
        var session = Client.GetGrain<ISessionGrain>(clientId);
        var gateway = Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
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
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Lost });

        await RestartAsync();
        Assert.Equal(0, await ActiveSessionCountAsync());

        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, (await StoredAsync(watcherId))!.QueuedMessages);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(async () => (await StoredAsync(watcherId))!.QueuedMessages == 1, "the will to reach the watcher after the restart");

        _clock.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await StoredAsync(clientId));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(async () => await StoredAsync(clientId) is null, "the session to expire after the restart");
        await EventuallyAsync(async () => await ActiveSessionCountAsync() == 0, "no session activation left");
    }

    [Fact]
    public async Task Session_online_when_the_node_stopped_publishes_its_will_once_its_gateway_is_not_back()
    {
        var watcherId = NewClientId("watcher");
        var clientId = NewClientId("online");
        var willTopic = $"{clientId}/status";
        await GoOfflineAsync(watcherId, willTopic, expiry: 100_000);
        var session = Client.GetGrain<ISessionGrain>(clientId);
        var gateway = Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest
        {
            GatewayId = "gw-gone",
            Gateway = gateway,
            SessionExpiryInterval = 3600,
            Will = Message(willTopic, "gone"),
        });
        await session.ResumeAsync(connected.Epoch);

        // Its connection's gateway goes with the node: its registry partition checks it after the restart, and it
        // finds the gateway not registered again (delivery.md: the owner check).
        await RestartAsync();
        await EventuallyAsync(async () => await ActiveSessionCountAsync() == 1, "the session that was online to be checked");
        _clock.Advance(GatewayLiveness.Expiry * 2);
        await EventuallyAsync(async () => (await StoredAsync(watcherId))!.QueuedMessages == 1, "the will of the session lost with the node");
    }

    [Fact]
    public async Task A_registry_stored_before_entries_were_kept_is_taken_over()
    {
        var clientId = NewClientId("legacy");
        await GoOfflineAsync(clientId, $"{clientId}/#", expiry: 3600);

        // The partition as versions before the entries stored it: client ids only.
        var storage = _cluster!.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Broker);
        var partition = Client.GetGrain<ISessionRegistryGrain>(ISessionRegistryGrain.Partition(clientId)).GetGrainId();
        var stored = new GrainState<SessionRegistryState>(new SessionRegistryState());
        await storage.ReadStateAsync("sessions", partition, stored);
        stored.State = new SessionRegistryState { ClientIds = [.. stored.State!.Sessions.Keys] };
        await storage.WriteStateAsync("sessions", partition, stored);
        var legacy = new GrainState<SessionRegistryState>(new SessionRegistryState());
        await storage.ReadStateAsync("sessions", partition, legacy);
        Assert.Empty(legacy.State!.Sessions);
        Assert.Contains(clientId, legacy.State.ClientIds);

        // After a restart the partition checks each listed session, which reports its entry and routes again.
        await RestartAsync();
        await EventuallyAsync(
            async () => (await Client.GetGrain<IRouteIndexGrain>(0).GetSnapshotAsync()).Targets.Any(t => t.Target == RouteTarget.Session(clientId)),
            "the legacy session's offline routes");
        await Client.GetGrain<ITopicGrain>($"{clientId}/t").PublishAsync([Message($"{clientId}/t", "after the upgrade")]);
        await EventuallyAsync(async () => (await StoredAsync(clientId))?.QueuedMessages == 1, "the message to be queued");

        // Its entry is complete now: a further restart needs no check to route to it.
        await RestartAsync();
        Assert.Contains((await Client.GetGrain<IRouteIndexGrain>(0).GetSnapshotAsync()).Targets, t => t.Target == RouteTarget.Session(clientId));
        Assert.Equal(0, await ActiveSessionCountAsync());
    }

    private async Task RestartAsync()
    {
        await _cluster!.DisposeAsync();
        _cluster = await StartAsync();
    }

    private Task<BrokerTestCluster> StartAsync() => BrokerTestCluster.StartAsync(1, _dataDirectory, services =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        services.Configure<SessionOptions>(options => options.MaxSessionExpiry = TimeSpan.FromSeconds(uint.MaxValue));

        // Orleans measures thread-pool stalls on the same clock; a jump of the fake clock looks like one.
        services.AddLogging(logging => logging.AddFilter("Orleans.Runtime.MembershipService.LocalSiloHealthMonitor", LogLevel.None));
    });

    private async Task GoOfflineAsync(string clientId, string filter, uint expiry)
    {
        var session = Client.GetGrain<ISessionGrain>(clientId);
        var gateway = Client.CreateObjectReference<IGatewayObserver>(new TakeoverGateway());
        var connected = await session.ConnectAsync(new SessionConnectRequest { GatewayId = "gw", Gateway = gateway, SessionExpiryInterval = expiry });
        await session.ResumeAsync(connected.Epoch);
        await session.UpdateSubscriptionsAsync(connected.Epoch, [new SessionSubscription { Filter = filter, MaximumQoS = 1 }], []);
        await session.GoingOfflineAsync(connected.Epoch);
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal });
    }

    private Task<StoredSession?> StoredAsync(string clientId) => Client.GetGrain<IPersistentSessionsGrain>(0).GetAsync(clientId);

    private async Task<int> ActiveSessionCountAsync()
    {
        var type = Client.GetGrain<ISessionGrain>("any").GetGrainId().Type;
        return (await Client.GetGrain<IManagementGrain>(0).GetActiveGrains(type)).Count;
    }
}
