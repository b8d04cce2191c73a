using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Storage;
using Orleans.TestingHost;

namespace MqttCluster.Grains.Tests;

/// <summary>An in-process cluster with the broker's grains, their silo services and SQLite storage in a temp dir.</summary>
public sealed class BrokerTestCluster : IAsyncDisposable
{
    private BrokerTestCluster(InProcessTestCluster cluster, string dataDirectory)
    {
        Cluster = cluster;
        DataDirectory = dataDirectory;
    }

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    public string DataDirectory { get; }

    public static async Task<BrokerTestCluster> StartAsync(int silos, string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "mqttcluster-grains-tests", Guid.NewGuid().ToString("N"));
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(StorageNames.Broker, options => options.DataDirectory = dataDirectory);

            // Before the broker's services, whose defaults are TryAdd registrations.
            services?.Invoke(silo.Services);
            silo.Services.AddBrokerGrainServices();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new BrokerTestCluster(cluster, dataDirectory);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    public void DeleteData()
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
