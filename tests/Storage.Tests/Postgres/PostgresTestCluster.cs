using System.Reflection;
using MqttCluster.Storage.Postgres;
using Orleans.TestingHost;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>
/// Starts an in-process cluster whose silos find each other through Orleans' ADO.NET clustering on PostgreSQL (our
/// schema) and whose grain storage "test" is <see cref="PostgresGrainStorage"/> in the same database.
/// </summary>
public static class PostgresTestCluster
{
    public const string Invariant = "Npgsql";

    public static async Task<InProcessTestCluster> StartAsync(string connectionString, short silos = 2)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        UseConfiguredMembership(builder.Options);
        builder.ConfigureSilo((_, silo) => silo
            .UseAdoNetClustering(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            })
            .AddPostgresGrainStorage(StorageTestCluster.StorageName, options => options.ConnectionString = connectionString));
        builder.ConfigureClient(client => client.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        }));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The in-process test cluster registers its own in-memory membership table (and a grain directory tied to it)
    /// after every user configuration, so UseAdoNetClustering alone would be silently ignored. The switch that turns
    /// that off is internal; flip it, and fail loudly if a TestingHost upgrade renamed it.
    /// </summary>
    private static void UseConfiguredMembership(InProcessTestClusterOptions options)
    {
        const string switchName = "UseTestClusterMembership";
        var property = typeof(InProcessTestClusterOptions).GetProperty(switchName, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException(
                $"{nameof(InProcessTestClusterOptions)}.{switchName} no longer exists in this Orleans.TestingHost; find the new way to use real membership.");
        property.SetValue(options, false);
    }
}
