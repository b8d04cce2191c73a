using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MqttCluster.Storage.Postgres;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>
/// Orleans' own ADO.NET membership table and gateway list provider (the classes a silo and a client use) against our
/// schema: every query key, the version compare-and-swap, and the columns read back.
/// </summary>
/// <remarks>The session time zone is set far from UTC: timestamps must not depend on it.</remarks>
public sealed class MembershipTableContractTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private static readonly ServiceProvider Services = new ServiceCollection().BuildServiceProvider();
    private readonly string _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        await PostgresSchema.ApplyAsync(server.ConnectionString);
        _connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Timezone = "Asia/Kathmandu" }.ConnectionString;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Initialize_CreatesTheVersionRowOnce()
    {
        var first = await TableAsync();
        await TableAsync();

        var data = await first.ReadAllAsync();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Equal("0", data.Version.VersionEtag);
        Assert.Equal(0, await MembershipRow.ReadVersionAsync(_connectionString, _clusterId));
    }

    [Fact]
    public async Task InsertRow_StoresEveryColumn_AndBumpsTheVersion()
    {
        var table = await TableAsync();
        var entry = Entry(port: 11111, SiloStatus.Joining, proxyPort: 30000);

        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var data = await table.ReadAllAsync();
        var (read, eTag) = Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
        Assert.Equal("1", eTag);
        Assert.Equal(entry.SiloAddress, read.SiloAddress);
        Assert.Equal(entry.SiloName, read.SiloName);
        Assert.Equal(entry.HostName, read.HostName);
        Assert.Equal(SiloStatus.Joining, read.Status);
        Assert.Equal(30000, read.ProxyPort);
        AssertSameInstant(entry.StartTime, read.StartTime);
        AssertSameInstant(entry.IAmAliveTime, read.IAmAliveTime);

        var row = Assert.Single(await MembershipRow.ReadAllAsync(_connectionString, _clusterId));
        Assert.Equal("127.0.0.1", row.Address);
        AssertSameInstant(entry.IAmAliveTime, row.IAmAliveTime.UtcDateTime);
    }

    [Fact]
    public async Task InsertRow_WithStaleVersionOrDuplicateSilo_FailsWithoutBumpingTheVersion()
    {
        var table = await TableAsync();
        var stale = (await table.ReadAllAsync()).Version.Next();
        var entry = Entry(port: 11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(entry, stale));

        Assert.False(await table.InsertRowAsync(Entry(port: 22222, SiloStatus.Joining), stale));
        Assert.False(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var data = await table.ReadAllAsync();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task ConcurrentInsertsFromTheSameVersion_ExactlyOneWins()
    {
        var table = await TableAsync();
        var version = (await table.ReadAllAsync()).Version.Next();
        var tables = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TableAsync()));

        var outcomes = await Task.WhenAll(tables.Select((silo, i) => Task.Run(() => silo.InsertRowAsync(Entry(port: 11000 + i, SiloStatus.Joining), version))));

        Assert.Single(outcomes, inserted => inserted);
        var data = await table.ReadAllAsync();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_RequiresTheCurrentVersion_AndStoresStatusAndSuspicions()
    {
        var table = await TableAsync();
        var entry = Entry(port: 11111, SiloStatus.Joining);
        var voter = SiloAddress.New(IPAddress.Loopback, 22222, 7);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var before = await table.ReadAllAsync();
        var (read, eTag) = Assert.Single(before.Members);

        read.Status = SiloStatus.Active;
        read.AddOrUpdateSuspector(voter, DateTime.UtcNow, maxVotes: 3);
        Assert.True(await table.UpdateRowAsync(read, eTag, before.Version.Next()));

        // A second writer that read the same version loses.
        read.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRowAsync(read, eTag, before.Version.Next()));

        var after = await table.ReadAllAsync();
        var (updated, _) = Assert.Single(after.Members);
        Assert.Equal(2, after.Version.Version);
        Assert.Equal(SiloStatus.Active, updated.Status);
        var (suspector, _) = Assert.Single(updated.SuspectTimes ?? []);
        Assert.Equal(voter, suspector);
    }

    [Fact]
    public async Task UpdateIAmAlive_MovesTheTimeForwardOnly_AndKeepsTheVersion()
    {
        var table = await TableAsync();
        var entry = Entry(port: 11111, SiloStatus.Active);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var later = entry.IAmAliveTime.AddSeconds(30);

        await table.UpdateIAmAliveAsync(Copy(entry, iAmAliveTime: later));
        await table.UpdateIAmAliveAsync(Copy(entry, iAmAliveTime: later.AddSeconds(-20)));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        AssertSameInstant(later, Assert.Single(data.Members).Item1.IAmAliveTime);
    }

    [Fact]
    public async Task ReadRow_ReturnsThatSiloAndTheVersion_OrOnlyTheVersion()
    {
        var table = await TableAsync();
        var first = Entry(port: 11111, SiloStatus.Active);
        var second = Entry(port: 22222, SiloStatus.Active);
        await table.InsertRowAsync(first, (await table.ReadAllAsync()).Version.Next());
        await table.InsertRowAsync(second, (await table.ReadAllAsync()).Version.Next());

        var row = await table.ReadRowAsync(second.SiloAddress);
        var missing = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 33333, 1));

        Assert.Equal(second.SiloAddress, Assert.Single(row.Members).Item1.SiloAddress);
        Assert.Equal(2, row.Version.Version);
        Assert.Empty(missing.Members);
        Assert.Equal(2, missing.Version.Version);
    }

    [Fact]
    public async Task Gateways_AreActiveSilosWithAGatewayPort()
    {
        var table = await TableAsync();
        var gateway = Entry(port: 11111, SiloStatus.Active, proxyPort: 30001);
        await table.InsertRowAsync(gateway, (await table.ReadAllAsync()).Version.Next());
        await table.InsertRowAsync(Entry(port: 22222, SiloStatus.Active, proxyPort: 0), (await table.ReadAllAsync()).Version.Next());
        await table.InsertRowAsync(Entry(port: 33333, SiloStatus.Joining, proxyPort: 30003), (await table.ReadAllAsync()).Version.Next());
        var provider = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            Services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgresTestCluster.Invariant, ConnectionString = _connectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = "service" }));
        await provider.InitializeGatewayListProviderAsync();

        var gateways = await provider.GetGatewaysAsync();

        var expected = SiloAddress.New(IPAddress.Loopback, 30001, gateway.SiloAddress.Generation).ToGatewayUri();
        Assert.Equal(expected, Assert.Single(gateways));
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOnlyDeadRowsOlderThanTheCutoff()
    {
        var table = await TableAsync();
        var longAgo = DateTime.UtcNow.AddHours(-2);
        var oldDead = Entry(port: 11111, SiloStatus.Dead, time: longAgo);
        var recentDead = Entry(port: 22222, SiloStatus.Dead);
        var oldActive = Entry(port: 33333, SiloStatus.Active, time: longAgo);
        foreach (var entry in new[] { oldDead, recentDead, oldActive })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        // The suspicion vote goes through an update: inserts do not store votes.
        var (storedOldDead, eTag) = (await table.ReadRowAsync(oldDead.SiloAddress)).Members.Single();
        storedOldDead.AddOrUpdateSuspector(SiloAddress.New(IPAddress.Loopback, 22222, 3), longAgo, maxVotes: 3);
        Assert.True(await table.UpdateRowAsync(storedOldDead, eTag, (await table.ReadAllAsync()).Version.Next()));

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1));

        var ports = (await MembershipRow.ReadAllAsync(_connectionString, _clusterId)).Select(row => row.Port);
        Assert.Equal([22222, 33333], ports);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_RemovesOnlyThatCluster()
    {
        var table = await TableAsync();
        var otherClusterId = _clusterId + "-other";
        var other = await TableAsync(otherClusterId);
        await table.InsertRowAsync(Entry(port: 11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next());
        await other.InsertRowAsync(Entry(port: 11111, SiloStatus.Active), (await other.ReadAllAsync()).Version.Next());

        await table.DeleteMembershipTableEntriesAsync(_clusterId);

        Assert.Empty(await MembershipRow.ReadAllAsync(_connectionString, _clusterId));
        Assert.Null(await MembershipRow.ReadVersionAsync(_connectionString, _clusterId));
        Assert.Single(await MembershipRow.ReadAllAsync(_connectionString, otherClusterId));
    }

    private async Task<AdoNetClusteringTable> TableAsync(string? clusterId = null)
    {
        var table = new AdoNetClusteringTable(
            Services,
            Options.Create(new ClusterOptions { ClusterId = clusterId ?? _clusterId, ServiceId = "service" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresTestCluster.Invariant, ConnectionString = _connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static MembershipEntry Entry(int port, SiloStatus status, int proxyPort = 0, DateTime? time = null) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 42),
        SiloName = $"silo-{port}",
        HostName = "host-a",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = time ?? DateTime.UtcNow,
        IAmAliveTime = time ?? DateTime.UtcNow,
    };

    private static MembershipEntry Copy(MembershipEntry entry, DateTime iAmAliveTime) => new()
    {
        SiloAddress = entry.SiloAddress,
        SiloName = entry.SiloName,
        HostName = entry.HostName,
        Status = entry.Status,
        ProxyPort = entry.ProxyPort,
        StartTime = entry.StartTime,
        IAmAliveTime = iAmAliveTime,
    };

    // PostgreSQL keeps microseconds; .NET ticks are 100 ns.
    private static void AssertSameInstant(DateTime expected, DateTime actual)
    {
        Assert.Equal(DateTimeKind.Utc, actual.Kind);
        Assert.InRange((actual - expected.ToUniversalTime()).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
    }
}
