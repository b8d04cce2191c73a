using MqttCluster.Storage.Postgres;
using Npgsql;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary><see cref="PostgresSchema"/> (what <c>db init</c> runs) on fresh databases of one server.</summary>
public sealed class PostgresSchemaTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly string[] ProviderQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey",
        "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    [Fact]
    public async Task Apply_CreatesTablesQueriesAndVersion()
    {
        var connectionString = await server.CreateDatabaseAsync();
        Assert.Null(await PostgresSchema.ReadVersionAsync(connectionString));

        await PostgresSchema.ApplyAsync(connectionString);

        Assert.Equal(PostgresSchema.Version, await PostgresSchema.ReadVersionAsync(connectionString));
        Assert.Equal(ProviderQueryKeys, await QueryKeysAsync(connectionString));
        Assert.Equal([1, 2], await ListAsync<int>(connectionString, "SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(
            ["grain_state", "orleans_membership", "orleans_membership_version", "orleansquery", "schema_version"],
            await ListAsync<string>(connectionString, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"));
    }

    [Fact]
    public async Task Apply_Twice_ChangesNothingAndKeepsData()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await ExecuteAsync(connectionString, "INSERT INTO grain_state VALUES ('s', 'g', 1, '\\x01', now())");
        var appliedAt = await ListAsync<DateTime>(connectionString, "SELECT applied_at FROM schema_version ORDER BY version");

        await PostgresSchema.ApplyAsync(connectionString);

        Assert.Equal(appliedAt, await ListAsync<DateTime>(connectionString, "SELECT applied_at FROM schema_version ORDER BY version"));
        Assert.Equal(ProviderQueryKeys, await QueryKeysAsync(connectionString));
        Assert.Equal([1L], await ListAsync<long>(connectionString, "SELECT version FROM grain_state"));
    }

    [Fact]
    public async Task Apply_FromSeveralCallersAtOnce_AllSucceed()
    {
        var connectionString = await server.CreateDatabaseAsync();

        // Separate pools, as separate processes would have.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Task.Run(() => PostgresSchema.ApplyAsync(connectionString + $";Application Name=init{i}"))));

        Assert.Equal(PostgresSchema.Version, await PostgresSchema.ReadVersionAsync(connectionString));
        Assert.Equal(ProviderQueryKeys, await QueryKeysAsync(connectionString));
    }

    [Fact]
    public async Task Apply_RestoresChangedQueryTexts()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        var original = await ListAsync<string>(connectionString, "SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'");
        await ExecuteAsync(connectionString, "UPDATE orleansquery SET querytext = 'SELECT 1' WHERE querykey = 'GatewaysQueryKey'");

        await PostgresSchema.ApplyAsync(connectionString);

        Assert.Equal(original, await ListAsync<string>(connectionString, "SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'"));
    }

    [Fact]
    public async Task Apply_RefusesANewerSchema_AndChangesNothing()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await ExecuteAsync(connectionString, "INSERT INTO schema_version (version, script) VALUES (99, '099-from-the-future')");
        await ExecuteAsync(connectionString, "DELETE FROM orleansquery WHERE querykey = 'GatewaysQueryKey'");

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.ApplyAsync(connectionString));

        Assert.Contains("schema version 99", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("GatewaysQueryKey", await QueryKeysAsync(connectionString));
    }

    [Fact]
    public void EmbeddedScripts_AreTheFilesInDeploySql()
    {
        var directory = FindDeploySqlDirectory();
        var files = Directory.GetFiles(directory, "*.sql").Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(files.Select(Path.GetFileNameWithoutExtension), PostgresSchema.Scripts.Select(script => script.Name));
        Assert.Equal(files.Select(File.ReadAllText), PostgresSchema.Scripts.Select(script => script.Sql));
        Assert.Equal(files.Length, PostgresSchema.Version);
    }

    private static string FindDeploySqlDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy", "sql", "postgresql");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"deploy/sql/postgresql not found above {AppContext.BaseDirectory}.");
    }

    private static Task<IReadOnlyList<string>> QueryKeysAsync(string connectionString) =>
        ListAsync<string>(connectionString, "SELECT querykey::text FROM orleansquery ORDER BY querykey COLLATE \"C\"");

    private static async Task<IReadOnlyList<T>> ListAsync<T>(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
