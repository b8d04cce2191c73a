using Microsoft.Extensions.Logging;

namespace MqttCluster.Storage.Postgres;

internal static partial class PostgresGrainStorageLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Grain storage {StorageName} uses PostgreSQL database {Database} on {Host}:{Port} (schema version {SchemaVersion})")]
    public static partial void Opened(ILogger logger, string storageName, string database, string host, int port, int schemaVersion);

    [LoggerMessage(2, LogLevel.Error,
        "Grain storage {StorageName} cannot use PostgreSQL database {Database} on {Host}:{Port}")]
    public static partial void OpenFailed(ILogger logger, Exception exception, string storageName, string database, string host, int port);

    [LoggerMessage(3, LogLevel.Error,
        "Grain storage {StorageName} failed to {Operation} state {StateName} of grain {GrainId}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string storageName, string operation, string stateName, string grainId);

    [LoggerMessage(4, LogLevel.Error,
        "Grain storage {StorageName} failed to {Operation} state {StateName} of grain {GrainId}: PostgreSQL on {Host}:{Port} is unreachable or restarting " +
        "(transient; the operation was not retried, idle pooled connections were dropped so the next operation reconnects)")]
    public static partial void OperationFailedTransient(ILogger logger, Exception exception, string storageName, string operation, string stateName, string grainId, string host, int port);

    [LoggerMessage(5, LogLevel.Debug,
        "Grain storage {StorageName}: ETag conflict on {Operation} of state {StateName} of grain {GrainId}: grain has {GrainETag}, storage has {StoredETag}")]
    public static partial void ETagConflict(ILogger logger, string storageName, string operation, string stateName, string grainId, string grainETag, string storedETag);
}
