using Microsoft.Extensions.Logging;

namespace MqttCluster.Storage;

internal static partial class SqliteGrainStorageLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Grain storage {StorageName} opened SQLite database {DatabasePath} (journal_mode={JournalMode}, synchronous={Synchronous})")]
    public static partial void Opened(ILogger logger, string storageName, string databasePath, string journalMode, string synchronous);

    [LoggerMessage(2, LogLevel.Error,
        "Grain storage {StorageName} failed to open SQLite database {DatabasePath}")]
    public static partial void OpenFailed(ILogger logger, Exception exception, string storageName, string databasePath);

    [LoggerMessage(3, LogLevel.Error,
        "Grain storage {StorageName} failed to {Operation} state {StateName} of grain {GrainId}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string storageName, string operation, string stateName, string grainId);

    [LoggerMessage(4, LogLevel.Debug,
        "Grain storage {StorageName}: ETag conflict on {Operation} of state {StateName} of grain {GrainId}: grain has {GrainETag}, storage has {StoredETag}")]
    public static partial void ETagConflict(ILogger logger, string storageName, string operation, string stateName, string grainId, string grainETag, string storedETag);
}
