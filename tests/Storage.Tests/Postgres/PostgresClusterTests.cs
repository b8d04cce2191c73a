using MqttCluster.Storage.Postgres;
using Orleans.TestingHost;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>
/// Real in-process silos clustered through Orleans' ADO.NET membership on our PostgreSQL schema, with grain state in
/// <see cref="PostgresGrainStorage"/>: what cluster mode runs, minus separate processes.
/// </summary>
public sealed class PostgresClusterTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..8] + "/";

    public Task InitializeAsync() => PostgresSchema.ApplyAsync(server.ConnectionString);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TwoSilos_JoinThroughTheMembershipTable_AndAStoppedSiloIsMarkedDead()
    {
        await using var cluster = await PostgresTestCluster.StartAsync(server.ConnectionString, silos: 2);
        var clusterId = cluster.Options.ClusterId;

        var rows = await MembershipRow.ReadAllAsync(server.ConnectionString, clusterId);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(MembershipRow.Active, row.Status));
        Assert.All(rows, row => Assert.True(row.ProxyPort > 0, $"silo {row.SiloName} should advertise its gateway"));
        Assert.Equal(
            cluster.Silos.Select(silo => (silo.SiloAddress.Endpoint.Port, silo.SiloAddress.Generation)).Order(),
            rows.Select(row => (row.Port, row.Generation)).Order());

        // The client found a gateway through the same table (GatewaysQueryKey); the call goes through a silo.
        var grain = cluster.Client.GetGrain<IStateGrain>(_prefix + "a");
        await grain.Set("through the cluster", [1]);
        Assert.Equal("through the cluster", (await grain.Get()).Text);

        var stopped = cluster.Silos[1];
        await cluster.StopSiloAsync(stopped);

        rows = await MembershipRow.ReadAllAsync(server.ConnectionString, clusterId);
        var stoppedRow = Assert.Single(rows, row => row.Port == stopped.SiloAddress.Endpoint.Port && row.Generation == stopped.SiloAddress.Generation);
        var survivorRow = Assert.Single(rows, row => row != stoppedRow);
        Assert.Equal(MembershipRow.Dead, stoppedRow.Status);
        Assert.Equal(MembershipRow.Active, survivorRow.Status);
        Assert.Equal("through the cluster", (await grain.Get()).Text);
    }

    [Fact]
    public async Task WrittenState_IsReadBackByANewActivation()
    {
        await using var cluster = await PostgresTestCluster.StartAsync(server.ConnectionString, silos: 2);
        var grain = cluster.Client.GetGrain<IStateGrain>(_prefix + "b");
        await grain.Set("hello", [1, 2, 3]);
        var before = await grain.Get();

        await cluster.DeactivateAsync(grain);
        var after = await grain.Get();

        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.True(after.RecordExists);
        Assert.Equal("1", after.ETag);
        Assert.Equal("hello", after.Text);
        Assert.Equal([1, 2, 3], after.Payload);
    }

    [Fact]
    public async Task StateAndClears_SurviveAFullClusterRestart()
    {
        await using (var cluster = await PostgresTestCluster.StartAsync(server.ConnectionString, silos: 2))
        {
            var kept = cluster.Client.GetGrain<IStateGrain>(_prefix + "kept");
            await kept.Set("first", [1]);
            await kept.Set("second", [2, 2]);
            var cleared = cluster.Client.GetGrain<IStateGrain>(_prefix + "cleared");
            await cleared.Set("to be cleared", [1]);
            await cleared.Clear();
        }

        await using var restarted = await PostgresTestCluster.StartAsync(server.ConnectionString, silos: 2);
        var again = restarted.Client.GetGrain<IStateGrain>(_prefix + "kept");
        var snapshot = await again.Get();
        var clearedSnapshot = await restarted.Client.GetGrain<IStateGrain>(_prefix + "cleared").Get();

        Assert.True(snapshot.RecordExists);
        Assert.Equal("2", snapshot.ETag);
        Assert.Equal("second", snapshot.Text);
        Assert.Equal([2, 2], snapshot.Payload);
        Assert.False(clearedSnapshot.RecordExists);
        Assert.Null(clearedSnapshot.ETag);

        // The ETag read after the restart is accepted by the next write.
        await again.Set("third", [3]);
        Assert.Equal("3", (await again.Get()).ETag);
    }

    [Fact]
    public async Task SiloStart_FailsWhenTheDatabaseHasNoSchema()
    {
        var emptyDatabase = await server.CreateDatabaseAsync();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddPostgresGrainStorage(StorageTestCluster.StorageName, options => options.ConnectionString = emptyDatabase));
        await using var cluster = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync());

        Assert.Contains("db init", failure.ToString(), StringComparison.Ordinal);
    }
}
