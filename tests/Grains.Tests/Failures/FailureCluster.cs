using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MqttCluster.Storage;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>
/// Two silos with the broker's grains and SQLite storage, a <see cref="CallFaults"/> filter in each, membership that
/// declares a killed silo dead within seconds, and optionally one fake clock for every grain: what the broker times
/// on <see cref="TimeProvider"/> (delivery retries, gateway liveness, session timers, registry waits) moves only
/// when a test advances it. Gateways are <see cref="ModelGateway"/>s on the cluster's client, as standalone
/// gateways are Orleans clients. One cluster per test: tests stop and kill its silos.
/// </summary>
public sealed class FailureCluster : IAsyncDisposable
{
    /// <summary>Longest single move of the fake clock, well below <see cref="GatewayLiveness.Expiry"/>, so live
    /// gateways refresh in between as they would every <see cref="GatewayLiveness.RefreshInterval"/>.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromMilliseconds(500);

    private readonly string _dataDirectory;
    private readonly ConcurrentQueue<ModelGateway> _gateways = new();

    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _refreshing;

    private FailureCluster(InProcessTestCluster cluster, CallFaults faults, ClusterClock? clock, string dataDirectory)
    {
        Cluster = cluster;
        Faults = faults;
        FakeClock = clock;
        _dataDirectory = dataDirectory;
        _refreshing = clock is null ? RefreshGatewaysAsync(_stopping.Token) : Task.CompletedTask;
    }

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    public CallFaults Faults { get; }

    /// <summary>The grains' clock when the cluster was started with one; else they use the system clock.</summary>
    public ClusterClock? FakeClock { get; }

    public InProcessSiloHandle Primary => Cluster.Silos[0];

    public InProcessSiloHandle Secondary => Cluster.Silos[1];

    public static async Task<FailureCluster> StartAsync(bool fakeClock = false)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "mqttcluster-grains-tests", Guid.NewGuid().ToString("N"));
        var faults = new CallFaults();
        var clock = fakeClock ? new ClusterClock(DateTimeOffset.UtcNow) : null;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(StorageNames.Broker, options => options.DataDirectory = dataDirectory);
            silo.AddIncomingGrainCallFilter(faults);
            silo.AddOutgoingGrainCallFilter(faults);
            if (clock is not null)
            {
                // Before the broker's services, which only add the system clock when none is there.
                silo.Services.AddSingleton<TimeProvider>(clock);
            }

            silo.Services.AddBrokerGrainServices();

            // A killed silo is declared dead after two missed 1 s probes; with two silos one vote is all there is.
            silo.Services.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.MinProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
            });

            // Orleans measures thread-pool stalls on the same clock; a jump of the fake clock looks like one.
            silo.Services.AddLogging(logging => logging.AddFilter("Orleans.Runtime.MembershipService.LocalSiloHealthMonitor", LogLevel.None));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FailureCluster(cluster, faults, clock, dataDirectory);
    }

    /// <summary>A gateway registered with the route index (and its sessions registry refilled), kept alive for
    /// the test: Orleans holds client-side observers weakly.</summary>
    public async Task<ModelGateway> GatewayAsync(string name)
    {
        var gateway = new ModelGateway(this, $"{name}-{Guid.NewGuid():N}");
        _gateways.Enqueue(gateway);
        await gateway.RefreshAsync();
        return gateway;
    }

    /// <summary>The silo where <paramref name="grain"/> is active now.</summary>
    public SiloAddress SiloOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context)
            ? context.Address.SiloAddress!
            : throw new InvalidOperationException($"{grain.GetGrainId()} is not active.");

    /// <summary>The silo holding the route index, and the other one.</summary>
    public async Task<(InProcessSiloHandle Holder, InProcessSiloHandle Other)> SilosByRouteIndexAsync()
    {
        var index = Client.GetGrain<IRouteIndexGrain>(0);
        await index.GetSnapshotAsync();
        var holder = SiloOf(index);
        return holder.Equals(Primary.SiloAddress) ? (Primary, Secondary) : (Secondary, Primary);
    }

    /// <summary>Kills <paramref name="silo"/> (no stop, no deactivation), waits until the cluster declared it dead, and
    /// refreshes the live gateways.</summary>
    public async Task KillAsync(InProcessSiloHandle silo)
    {
        await Cluster.KillSiloAsync(silo);
        var management = Client.GetGrain<IManagementGrain>(0);
        await Sessions.SessionTestData.EventuallyAsync(
            async () => !(await management.GetHosts(onlyActive: true)).ContainsKey(silo.SiloAddress),
            $"silo {silo.SiloAddress} to be declared dead");

        // As live gateways do within their refresh interval: the route index or their registry may have been there.
        foreach (var gateway in _gateways.Where(g => g.IsAlive))
        {
            await gateway.RefreshAsync();
        }
    }

    /// <summary>Activates <paramref name="grain"/> with a call that changes nothing and moves it to <paramref name="silo"/>.</summary>
    public async Task PlaceAsync(ISessionGrain grain, InProcessSiloHandle silo)
    {
        // A session grain without state only checks that it is not in the registry.
        await grain.CheckTimersAsync();
        await PlaceAsync((IAddressable)grain, silo);
    }

    /// <inheritdoc cref="PlaceAsync(ISessionGrain, InProcessSiloHandle)"/>
    public async Task PlaceAsync(ITopicGrain grain, InProcessSiloHandle silo)
    {
        await grain.GetRetainedAsync();
        await PlaceAsync((IAddressable)grain, silo);
    }

    /// <summary>Moves the active <paramref name="grain"/> to <paramref name="silo"/> unless it is there already.</summary>
    public async Task PlaceAsync(IAddressable grain, InProcessSiloHandle silo)
    {
        if (!SiloOf(grain).Equals(silo.SiloAddress))
        {
            await Cluster.MigrateAsync(grain, silo.SiloAddress);
        }
    }

    /// <summary>
    /// Moves the fake clock forward in steps of at most <see cref="MaxStep"/>; after each step every live gateway
    /// refreshes its registration, as real ones do on their own timer, so only dead ones look silent.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var clock = FakeClock ?? throw new InvalidOperationException("This cluster runs on the system clock.");
        while (by > TimeSpan.Zero)
        {
            var step = by < MaxStep ? by : MaxStep;
            clock.Advance(step);
            by -= step;
            foreach (var gateway in _gateways.Where(g => g.IsAlive))
            {
                await gateway.RefreshAsync();
            }
        }
    }

    /// <summary>
    /// For effects the broker times on the fake clock (a delivery's retry delays) while it waits for the clock to
    /// be moved at a moment the test cannot observe: advances in small steps until <paramref name="done"/> holds.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> done, string awaited)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after 20 s waiting for {awaited}.");
            }

            await AdvanceAsync(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }
    }

    /// <summary>On the system clock live gateways refresh on their own, as real ones do.</summary>
    private async Task RefreshGatewaysAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(GatewayLiveness.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var gateway in _gateways.Where(g => g.IsAlive).ToArray())
                {
                    try
                    {
                        await gateway.RefreshAsync();
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // A silo just died under the call: the next tick tries again, as a gateway's timer does.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _refreshing;
        _stopping.Dispose();
        await Cluster.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
