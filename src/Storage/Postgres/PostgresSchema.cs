using System.Globalization;
using System.Reflection;
using Npgsql;

namespace MqttCluster.Storage.Postgres;

/// <summary>
/// Creates or upgrades the cluster's PostgreSQL schema: Orleans ADO.NET clustering (tables and the <c>OrleansQuery</c>
/// rows the provider reads) and the grain state table. What <c>mqtt-cluster-silo db init</c> runs.
/// </summary>
/// <remarks>
/// The scripts are deploy/sql/postgresql/*.sql, embedded in this assembly. Every script is idempotent and all of them
/// run on each call, in order, in one transaction, so a call either leaves the complete current schema or changes
/// nothing. A transaction-scoped advisory lock serializes concurrent calls (several silos starting at once): without
/// it, two <c>CREATE TABLE IF NOT EXISTS</c> racing each other can fail on the catalog's unique index.
/// </remarks>
public static class PostgresSchema
{
    /// <summary>Key of the advisory lock held while the schema is applied ("mqttsch" + 1).</summary>
    public const long AdvisoryLockKey = 0x6D71_7474_7363_6801;

    private const string ResourcePrefix = "MqttCluster.Storage.Postgres.Sql.";

    private static readonly Lazy<IReadOnlyList<PostgresSchemaScript>> LoadedScripts = new(LoadScripts);

    /// <summary>The embedded scripts, in the order they run.</summary>
    public static IReadOnlyList<PostgresSchemaScript> Scripts => LoadedScripts.Value;

    /// <summary>The schema version this build creates: the number of its last script.</summary>
    public static int Version => Scripts[^1].Version;

    /// <summary>Applies every script in one transaction; safe to run repeatedly and from several processes at once.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this build knows.</exception>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await ReadVersionAsync(connection, transaction, cancellationToken);
        if (current > Version)
        {
            throw NewerSchema(connection.Database, current.Value);
        }

        foreach (var script in Scripts)
        {
            await using var command = new NpgsqlCommand(script.Sql, connection, transaction);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException exception)
            {
                throw new InvalidOperationException(
                    $"Schema script {script.Name} failed on database '{connection.Database}': {exception.MessageText} (SQLSTATE {exception.SqlState}); nothing was changed.",
                    exception);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The highest schema script applied to the database, or <c>null</c> when it has no schema yet.</summary>
    public static async Task<int?> ReadVersionAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return await ReadVersionAsync(connection, null, cancellationToken);
    }

    internal static async Task<int?> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // to_regclass gives NULL instead of an error for a missing table; the table must exist before a query names it.
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('schema_version') IS NOT NULL", connection, transaction))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand("SELECT max(version) FROM schema_version", connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }

    internal static InvalidOperationException NewerSchema(string database, int found) => new(
        $"Database '{database}' has schema version {found.ToString(CultureInfo.InvariantCulture)}, newer than this build knows " +
        $"({Version.ToString(CultureInfo.InvariantCulture)}); upgrade the broker instead of downgrading the schema.");

    private static IReadOnlyList<PostgresSchemaScript> LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) && resource.EndsWith(".sql", StringComparison.Ordinal))
            .Select(resource => Load(assembly, resource))
            .OrderBy(script => script.Version)
            .ToArray();
        if (scripts.Length == 0)
        {
            throw new InvalidOperationException($"No schema scripts are embedded in {assembly.GetName().Name} (expected resources {ResourcePrefix}*.sql).");
        }

        for (var i = 0; i < scripts.Length; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Schema scripts must be numbered 001, 002, ... without gaps; found {scripts[i].Name} at position {i + 1}.");
            }
        }

        return scripts;
    }

    private static PostgresSchemaScript Load(Assembly assembly, string resource)
    {
        var name = resource[ResourcePrefix.Length..^".sql".Length];
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidOperationException($"Schema script '{name}' must be named NNN-description.sql.");
        }

        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new PostgresSchemaScript(version, name, reader.ReadToEnd());
    }
}
