using Microsoft.Extensions.Options;

namespace MqttCluster.Storage;

/// <summary>Rejects options that cannot name a database file.</summary>
public sealed class SqliteGrainStorageOptionsValidator : IValidateOptions<SqliteGrainStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{nameof(SqliteGrainStorageOptions.DataDirectory)} of grain storage '{name}' must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.FileName))
        {
            failures.Add($"{nameof(SqliteGrainStorageOptions.FileName)} of grain storage '{name}' must not be empty.");
        }
        else if (options.FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            failures.Add($"{nameof(SqliteGrainStorageOptions.FileName)} of grain storage '{name}' must be a file name, not a path: '{options.FileName}'.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromSeconds(int.MaxValue / 1000))
        {
            failures.Add($"{nameof(SqliteGrainStorageOptions.BusyTimeout)} of grain storage '{name}' must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
