using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MqttCluster.Storage;
using Orleans.TestingHost;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// Two silos with the broker's grains, SQLite storage in a temp directory and one fake clock: session timers
/// (expiry, will delay) fire when a test advances <see cref="Clock"/>. Shared by the tests of a class, which keep
/// apart by client id.
/// </summary>
public sealed class SessionClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mqttcluster-grains-tests", Guid.NewGuid().ToString("N"));
    private InProcessTestCluster? _cluster;

    /// <summary>Orleans holds client-side observers weakly: one collected before a session grain calls it never
    /// answers (a takeover then times out as if its gateway were gone), so the fixture keeps them.</summary>
    private readonly ConcurrentBag<TakeoverGateway> _observers = [];

    public ClusterClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public IClusterClient Client => _cluster!.Client;

    /// <summary>A CONNECT of a persistent session through <paramref name="gateway"/>.</summary>
    public SessionConnectRequest Request(string gatewayId, TakeoverGateway gateway)
    {
        _observers.Add(gateway);
        return new()
        {
            GatewayId = gatewayId,
            Gateway = Client.CreateObjectReference<IGatewayObserver>(gateway),
            SessionExpiryInterval = 100,
        };
    }

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(StorageNames.Broker, options => options.DataDirectory = _dataDirectory);

            // Registered before the broker's services, which only add the system clock when none is there.
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.AddBrokerGrainServices();

            // No cap below MQTT 5's longest expiry (about 136 years), as a mosquitto.conf without
            // persistent_client_expiration configures; the tests choose each session's own expiry.
            silo.Services.Configure<SessionOptions>(options => options.MaxSessionExpiry = TimeSpan.FromSeconds(uint.MaxValue));

            // Orleans measures thread-pool stalls on the same clock; a jump of the fake clock looks like one.
            silo.Services.AddLogging(logging => logging.AddFilter("Orleans.Runtime.MembershipService.LocalSiloHealthMonitor", LogLevel.None));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
