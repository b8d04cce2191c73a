using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace MqttCluster.Storage;

/// <summary>
/// The ETags of both grain stores: a row's integer version, as text. One place for reading them and for the
/// conflict a stale one causes, so SQLite and PostgreSQL report optimistic-concurrency failures alike.
/// </summary>
internal sealed class VersionETags(string storageName, ILogger logger, Action<ILogger, string, string, string, string, string, string> logConflict)
{
    public static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);

    public static string FormatStored(long? version) => version is null ? "(none)" : Format(version.Value);

    public InconsistentStateException Conflict(string operation, string stateName, string grainId, string? grainETag, string storedETag)
    {
        var currentETag = grainETag ?? "(none)";
        logConflict(logger, storageName, operation, stateName, grainId, currentETag, storedETag);
        return new InconsistentStateException(
            $"ETag mismatch on {operation} of state '{stateName}' of grain {grainId} in grain storage '{storageName}': grain has {currentETag}, storage has {storedETag}.",
            storedETag,
            currentETag);
    }

    public long? Parse(string? eTag, string operation, string stateName, string grainId)
    {
        if (eTag is null)
        {
            return null;
        }

        if (long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }

        // Not one of ours (e.g. state migrated from another provider): it cannot match any stored version.
        throw Conflict(operation, stateName, grainId, eTag, "(unknown)");
    }
}
