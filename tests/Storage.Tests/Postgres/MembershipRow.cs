using Npgsql;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>A row of <c>orleans_membership</c> as stored, read with plain SQL (not through the provider).</summary>
public sealed record MembershipRow(
    string Address, int Port, int Generation, string SiloName, int Status, int ProxyPort, string? SuspectTimes,
    DateTimeOffset StartTime, DateTimeOffset IAmAliveTime)
{
    public const int Active = 3;
    public const int Dead = 6;

    public static async Task<IReadOnlyList<MembershipRow>> ReadAllAsync(string connectionString, string clusterId)
    {
        const string sql = """
            SELECT address, port, generation, silo_name, status, proxy_port, suspect_times, start_time, i_am_alive_time
            FROM orleans_membership WHERE cluster_id = $1 ORDER BY port, generation
            """;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new MembershipRow(
                reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return rows;
    }

    public static async Task<int?> ReadVersionAsync(string connectionString, string clusterId)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT version FROM orleans_membership_version WHERE cluster_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
        return await command.ExecuteScalarAsync() as int?;
    }
}
