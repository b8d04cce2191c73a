using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using SQLitePCL;

namespace MqttCluster.Storage;

/// <summary>
/// Orleans grain storage in one SQLite file under the data directory, for the single-node broker (no database server).
/// </summary>
/// <remarks>
/// Every operation opens its own connection from Microsoft.Data.Sqlite's pool, so concurrent reads run in parallel
/// (WAL lets readers proceed beside the writer). Writes and clears of this instance queue on an async gate instead
/// of contending for SQLite's single write lock; the busy timeout covers other instances or processes on the same file.
/// SQLite's I/O is synchronous, so each statement runs to completion on the calling thread; there is no
/// sync-over-async anywhere.
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly SqliteGrainStorageOptions _options;
    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly VersionETags _eTags;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lazy<Task> _initialization;

    /// <summary>The pooled SQLite handles that have this instance's connection settings.</summary>
    private readonly ConditionalWeakTable<sqlite3, object> _configuredHandles = new();
    private static readonly object ConfiguredMark = new();

    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activatorProvider,
        TimeProvider timeProvider,
        ILogger<SqliteGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        _name = name;
        _options = options;
        _databasePath = options.DatabasePath;
        _serializer = serializer;
        _activatorProvider = activatorProvider;
        _timeProvider = timeProvider;
        _logger = logger;
        _eTags = new VersionETags(name, logger, SqliteGrainStorageLog.ETagConflict);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

        // Lazy, so a direct caller (tests, tools) works without a silo; the silo forces it at start to fail fast.
        _initialization = new Lazy<Task>(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => _databasePath;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(
            $"{nameof(SqliteGrainStorage)}-{_name}",
            ServiceLifecycleStage.ApplicationServices,
            _ => _initialization.Value,
            _ =>
            {
                // Closes pooled connections so the WAL is checkpointed and the file handles are released.
                using var connection = new SqliteConnection(_connectionString);
                SqliteConnection.ClearPool(connection);
                return Task.CompletedTask;
            });
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        try
        {
            await using var connection = await OpenAsync();
            await using var command = Command(connection, GrainStateTable.Select, stateName, id);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                var version = reader.GetInt64(0);
                var data = reader.GetFieldValue<byte[]>(1);
                grainState.State = _serializer.Deserialize<T>(new BinaryData(data));
                grainState.ETag = VersionETags.Format(version);
                grainState.RecordExists = true;
            }
            else
            {
                grainState.State = CreateDefault<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
        }
        catch (Exception exception)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "read", stateName, id);
            throw;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        await _writeGate.WaitAsync();
        try
        {
            var expected = _eTags.Parse(grainState.ETag, "write", stateName, id);
            var data = _serializer.Serialize(grainState.State).ToArray();
            await using var connection = await OpenAsync();
            await using var command = Command(connection, expected is null ? GrainStateTable.Insert : GrainStateTable.Update, stateName, id);
            command.Parameters.AddWithValue("$data", data);
            command.Parameters.AddWithValue("$updated_at", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            if (expected is not null)
            {
                command.Parameters.AddWithValue("$version", expected.Value);
            }

            if (await command.ExecuteScalarAsync() is not long version)
            {
                throw await ConflictAsync(connection, "write", stateName, id, grainState.ETag);
            }

            grainState.ETag = VersionETags.Format(version);
            grainState.RecordExists = true;
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "write", stateName, id);
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        await _writeGate.WaitAsync();
        try
        {
            var expected = _eTags.Parse(grainState.ETag, "clear", stateName, id);
            await using var connection = await OpenAsync();
            if (expected is null)
            {
                // The grain believes there is no record; clearing is a no-op unless someone else created one.
                if (await StoredVersionAsync(connection, stateName, id) is not null)
                {
                    throw await ConflictAsync(connection, "clear", stateName, id, grainState.ETag);
                }
            }
            else
            {
                await using var command = Command(connection, GrainStateTable.Delete, stateName, id);
                command.Parameters.AddWithValue("$version", expected.Value);
                if (await command.ExecuteNonQueryAsync() == 0)
                {
                    throw await ConflictAsync(connection, "clear", stateName, id, grainState.ETag);
                }
            }

            grainState.State = CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "clear", stateName, id);
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private Task Initialize()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_databasePath)!);
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            ApplyConnectionSettings(connection);

            // WAL is persistent in the file: set once, every later connection uses it.
            using (var walCommand = connection.CreateCommand())
            {
                walCommand.CommandText = "PRAGMA journal_mode = WAL;";
                var journalMode = walCommand.ExecuteScalar() as string;
                if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"SQLite refused WAL journal mode for {_databasePath} (got '{journalMode}').");
                }
            }

            using (var versionCommand = connection.CreateCommand())
            {
                versionCommand.CommandText = "PRAGMA user_version;";
                var schemaVersion = Convert.ToInt32(versionCommand.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (schemaVersion > GrainStateTable.SchemaVersion)
                {
                    throw new InvalidOperationException(
                        $"{_databasePath} has schema version {schemaVersion}, newer than this broker understands ({GrainStateTable.SchemaVersion}).");
                }
            }

            using (var schemaCommand = connection.CreateCommand())
            {
                schemaCommand.CommandText = GrainStateTable.CreateSchema
                    + $"PRAGMA user_version = {GrainStateTable.SchemaVersion.ToString(CultureInfo.InvariantCulture)};";
                schemaCommand.ExecuteNonQuery();
            }

            SqliteGrainStorageLog.Opened(_logger, _name, _databasePath, "wal", SynchronousMode);
            return Task.CompletedTask;
        }
        catch (Exception exception)
        {
            SqliteGrainStorageLog.OpenFailed(_logger, exception, _name, _databasePath);
            throw;
        }
    }

    private string SynchronousMode => _options.SynchronousFull ? "FULL" : "NORMAL";

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync();
            var handle = connection.Handle!;
            if (!_configuredHandles.TryGetValue(handle, out _))
            {
                ApplyConnectionSettings(connection);
                _configuredHandles.AddOrUpdate(handle, ConfiguredMark);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // synchronous and busy_timeout belong to the SQLite handle, which the pool keeps open between uses: applied
    // once per handle (running them on every open cost about 55 µs of a 378 µs connect; docs/benchmarks.md).
    private void ApplyConnectionSettings(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        var busyMilliseconds = (long)_options.BusyTimeout.TotalMilliseconds;
        command.CommandText = $"PRAGMA synchronous = {SynchronousMode}; PRAGMA busy_timeout = {busyMilliseconds.ToString(CultureInfo.InvariantCulture)};";
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, string stateName, string grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$state_name", stateName);
        command.Parameters.AddWithValue("$grain_id", grainId);
        return command;
    }

    private static async Task<long?> StoredVersionAsync(SqliteConnection connection, string stateName, string grainId)
    {
        await using var command = Command(connection, GrainStateTable.SelectVersion, stateName, grainId);
        return await command.ExecuteScalarAsync() as long?;
    }

    private async Task<InconsistentStateException> ConflictAsync(
        SqliteConnection connection, string operation, string stateName, string grainId, string? grainETag)
    {
        var stored = await StoredVersionAsync(connection, stateName, grainId);
        return _eTags.Conflict(operation, stateName, grainId, grainETag, VersionETags.FormatStored(stored));
    }

    private T CreateDefault<T>() => _activatorProvider.GetActivator<T>().Create();
}
