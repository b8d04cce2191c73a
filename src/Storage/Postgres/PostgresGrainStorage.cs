using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage.Postgres;

/// <summary>
/// Orleans grain storage in PostgreSQL for the cluster: one <c>grain_state</c> row per (state name, grain id), shared by
/// every silo. Same semantics as <see cref="SqliteGrainStorage"/>: the ETag is the row's version, a stale ETag throws
/// <see cref="InconsistentStateException"/>, clear deletes the row.
/// </summary>
/// <remarks>
/// The schema is not created here: <see cref="PostgresSchema.ApplyAsync"/> (<c>db init</c>) does that once per
/// deployment; silo start only checks that it is there, so a silo never races an upgrade. Each operation is one
/// statement on a connection from this instance's pool, so concurrent grains proceed in parallel and PostgreSQL's
/// row locks order concurrent writers of one row. Failures are never retried here: the grain sees the exception and
/// the log says what happened. After a transient failure (server restarting, network) the idle pooled connections
/// are dropped too, as they most likely died with the one that failed, so the next operation opens a fresh one.
/// </remarks>
public sealed class PostgresGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly string _name;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnectionStringBuilder _target;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresGrainStorage> _logger;
    private readonly VersionETags _eTags;
    private readonly Lock _schemaCheckLock = new();
    private Task? _schemaCheck;

    public PostgresGrainStorage(
        string name,
        PostgresGrainStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activatorProvider,
        TimeProvider timeProvider,
        ILogger<PostgresGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);

        _name = name;
        _target = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(_target);
        _serializer = serializer;
        _activatorProvider = activatorProvider;
        _timeProvider = timeProvider;
        _logger = logger;
        _eTags = new VersionETags(name, logger, PostgresGrainStorageLog.ETagConflict);
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        // Fail the silo start when the database is unreachable or lacks the schema, not the first grain that stores.
        lifecycle.Subscribe($"{nameof(PostgresGrainStorage)}-{_name}", ServiceLifecycleStage.ApplicationServices, _ => EnsureSchemaAsync());
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        try
        {
            await EnsureSchemaAsync();
            await using var command = Command(PostgresGrainStateTable.Select, stateName, id);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                StoredGrainState.Load(grainState, _serializer, reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
            }
            else
            {
                StoredGrainState.Reset(grainState, _activatorProvider);
            }
        }
        catch (Exception exception)
        {
            LogFailure(exception, "read", stateName, id);
            throw;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        try
        {
            await EnsureSchemaAsync();
            var expected = _eTags.Parse(grainState.ETag, "write", stateName, id);
            var data = _serializer.Serialize(grainState.State).ToMemory();
            await using var command = Command(expected is null ? PostgresGrainStateTable.Insert : PostgresGrainStateTable.Update, stateName, id);
            command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = data });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = _timeProvider.GetUtcNow() });
            if (expected is not null)
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
            }

            if (await command.ExecuteScalarAsync() is not long version)
            {
                throw await ConflictAsync("write", stateName, id, grainState.ETag);
            }

            grainState.ETag = VersionETags.Format(version);
            grainState.RecordExists = true;
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            LogFailure(exception, "write", stateName, id);
            throw;
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var id = grainId.ToString();
        try
        {
            await EnsureSchemaAsync();
            var expected = _eTags.Parse(grainState.ETag, "clear", stateName, id);
            if (expected is null)
            {
                // The grain believes there is no record; clearing is a no-op unless someone else created one.
                if (await StoredVersionAsync(stateName, id) is not null)
                {
                    throw await ConflictAsync("clear", stateName, id, grainState.ETag);
                }
            }
            else
            {
                await using var command = Command(PostgresGrainStateTable.Delete, stateName, id);
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
                if (await command.ExecuteNonQueryAsync() == 0)
                {
                    throw await ConflictAsync("clear", stateName, id, grainState.ETag);
                }
            }

            StoredGrainState.Reset(grainState, _activatorProvider);
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            LogFailure(exception, "clear", stateName, id);
            throw;
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Checks once that the database has the grain state schema; a failed check is retried by the next caller.</summary>
    private Task EnsureSchemaAsync()
    {
        lock (_schemaCheckLock)
        {
            if (_schemaCheck is null || _schemaCheck.IsFaulted || _schemaCheck.IsCanceled)
            {
                _schemaCheck = CheckSchemaAsync();
            }

            return _schemaCheck;
        }
    }

    private async Task CheckSchemaAsync()
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            var version = await PostgresSchema.ReadVersionAsync(connection, null, CancellationToken.None);
            if (version is null || version < PostgresGrainStateTable.RequiredSchemaVersion)
            {
                throw new InvalidOperationException(
                    $"Database '{_target.Database}' on {_target.Host}:{_target.Port} has {(version is null ? "no schema" : $"schema version {version}")}; " +
                    $"grain storage needs version {PostgresGrainStateTable.RequiredSchemaVersion} or later. " +
                    "Create or upgrade it with `mqtt-cluster-silo db init` (PostgresSchema.ApplyAsync).");
            }

            if (version > PostgresSchema.Version)
            {
                throw PostgresSchema.NewerSchema(_target.Database ?? "", version.Value);
            }

            PostgresGrainStorageLog.Opened(_logger, _name, _target.Database ?? "", _target.Host ?? "", _target.Port, version.Value);
        }
        catch (Exception exception)
        {
            PostgresGrainStorageLog.OpenFailed(_logger, exception, _name, _target.Database ?? "", _target.Host ?? "", _target.Port);
            throw;
        }
    }

    private NpgsqlCommand Command(string sql, string stateName, string grainId)
    {
        var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId });
        return command;
    }

    private async Task<long?> StoredVersionAsync(string stateName, string grainId)
    {
        await using var command = Command(PostgresGrainStateTable.SelectVersion, stateName, grainId);
        return await command.ExecuteScalarAsync() as long?;
    }

    private void LogFailure(Exception exception, string operation, string stateName, string grainId)
    {
        if (exception is NpgsqlException { IsTransient: true })
        {
            _dataSource.Clear();
            PostgresGrainStorageLog.OperationFailedTransient(_logger, exception, _name, operation, stateName, grainId, _target.Host ?? "", _target.Port);
        }
        else
        {
            PostgresGrainStorageLog.OperationFailed(_logger, exception, _name, operation, stateName, grainId);
        }
    }

    private async Task<InconsistentStateException> ConflictAsync(string operation, string stateName, string grainId, string? grainETag)
    {
        var stored = await StoredVersionAsync(stateName, grainId);
        return _eTags.Conflict(operation, stateName, grainId, grainETag, VersionETags.FormatStored(stored));
    }
}
