using Orleans.TestingHost;

namespace MqttCluster.Storage.Tests;

/// <summary>Starts a one-silo in-process cluster whose grain storage "test" is SQLite under a given directory.</summary>
public static class StorageTestCluster
{
    public const string StorageName = "test";

    public static async Task<InProcessTestCluster> StartAsync(string dataDirectory)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddSqliteGrainStorage(StorageName, options => options.DataDirectory = dataDirectory));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
