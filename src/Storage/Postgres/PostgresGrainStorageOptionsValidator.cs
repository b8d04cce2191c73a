using Microsoft.Extensions.Options;
using Npgsql;

namespace MqttCluster.Storage.Postgres;

/// <summary>Rejects options without a usable Npgsql connection string.</summary>
public sealed class PostgresGrainStorageOptionsValidator : IValidateOptions<PostgresGrainStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var setting = $"{nameof(PostgresGrainStorageOptions.ConnectionString)} of grain storage '{name}'";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{setting} must not be empty.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            // The message names the bad keyword; the connection string itself may hold a password, so it is not echoed.
            return ValidateOptionsResult.Fail($"{setting} is not a valid Npgsql connection string: {exception.Message}");
        }

        return string.IsNullOrWhiteSpace(builder.Host)
            ? ValidateOptionsResult.Fail($"{setting} must name a Host.")
            : ValidateOptionsResult.Success;
    }
}
