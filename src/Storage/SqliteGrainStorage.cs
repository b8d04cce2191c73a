using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage;

/// <summary>
/// Orleans grain storage in one SQLite file under the data directory, for the single-node broker (no database server).
/// </summary>
/// <remarks>
/// Every operation rents an open connection of its own (<see cref="PreparedConnections"/>, whose statements stay
/// prepared), so concurrent reads run in parallel (WAL lets readers proceed beside the writer). Writes and clears of this instance queue on an async gate instead
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
    private readonly PreparedConnections _connections;

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
            // PreparedConnections keeps connections open itself; a connection it closes is closed.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        // Reads run in parallel on grain threads, writes one at a time: more idle than that is never needed.
        _connections = new PreparedConnections(_connectionString, ApplyConnectionSettings, keptIdle: Environment.ProcessorCount + 1);

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
                // Closes the open connections so the WAL is checkpointed and the file handles are released.
                _connections.Dispose();
                return Task.CompletedTask;
            });
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        var failed = true;
        PreparedConnection? connection = null;
        try
        {
            connection = await _connections.RentAsync();
            using (var reader = connection.Command(GrainStateTable.Select, stateName, id).ExecuteReader())
            {
                if (reader.Read())
                {
                    StoredGrainState.Load(grainState, _serializer, reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
                }
                else
                {
                    StoredGrainState.Reset(grainState, _activatorProvider);
                }
            }

            failed = false;
        }
        catch (Exception exception)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "read", stateName, id);
            throw;
        }
        finally
        {
            Return(connection, failed);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        await _writeGate.WaitAsync();
        var failed = true;
        PreparedConnection? connection = null;
        try
        {
            var expected = _eTags.Parse(grainState.ETag, "write", stateName, id);
            var data = _serializer.Serialize(grainState.State).ToArray();
            connection = await _connections.RentAsync();
            var command = connection.Command(expected is null ? GrainStateTable.Insert : GrainStateTable.Update, stateName, id);
            command.Parameters.AddWithValue("$data", data);
            command.Parameters.AddWithValue("$updated_at", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            if (expected is not null)
            {
                command.Parameters.AddWithValue("$version", expected.Value);
            }

            var version = command.ExecuteScalar() as long?;
            failed = false;
            if (version is null)
            {
                throw Conflict(connection, "write", stateName, id, grainState.ETag);
            }

            grainState.ETag = VersionETags.Format(version.Value);
            grainState.RecordExists = true;
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "write", stateName, id);
            throw;
        }
        finally
        {
            Return(connection, failed);
            _writeGate.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _initialization.Value;
        var id = grainId.ToString();
        await _writeGate.WaitAsync();
        var failed = true;
        PreparedConnection? connection = null;
        try
        {
            var expected = _eTags.Parse(grainState.ETag, "clear", stateName, id);
            connection = await _connections.RentAsync();
            // The grain believes there is no record: clearing is a no-op unless someone else created one.
            var cleared = expected is null
                ? StoredVersion(connection, stateName, id) is null
                : Delete(connection, stateName, id, expected.Value);
            failed = false;
            if (!cleared)
            {
                throw Conflict(connection, "clear", stateName, id, grainState.ETag);
            }

            StoredGrainState.Reset(grainState, _activatorProvider);
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            SqliteGrainStorageLog.OperationFailed(_logger, exception, _name, "clear", stateName, id);
            throw;
        }
        finally
        {
            Return(connection, failed);
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

    // synchronous and busy_timeout belong to the SQLite handle: applied once, when a connection opens (running them
    // on every use cost about 55 µs of a 378 µs connect; docs/benchmarks.md).
    private void ApplyConnectionSettings(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        var busyMilliseconds = (long)_options.BusyTimeout.TotalMilliseconds;
        command.CommandText = $"PRAGMA synchronous = {SynchronousMode}; PRAGMA busy_timeout = {busyMilliseconds.ToString(CultureInfo.InvariantCulture)};";
        command.ExecuteNonQuery();
    }

    private void Return(PreparedConnection? connection, bool failed)
    {
        if (connection is not null)
        {
            _connections.Return(connection, failed);
        }
    }

    private static long? StoredVersion(PreparedConnection connection, string stateName, string grainId) =>
        connection.Command(GrainStateTable.SelectVersion, stateName, grainId).ExecuteScalar() as long?;

    private static bool Delete(PreparedConnection connection, string stateName, string grainId, long version)
    {
        var command = connection.Command(GrainStateTable.Delete, stateName, grainId);
        command.Parameters.AddWithValue("$version", version);
        return command.ExecuteNonQuery() > 0;
    }

    private InconsistentStateException Conflict(PreparedConnection connection, string operation, string stateName, string grainId, string? grainETag) =>
        _eTags.Conflict(operation, stateName, grainId, grainETag, VersionETags.FormatStored(StoredVersion(connection, stateName, grainId)));
}
