namespace MqttCluster.Storage.Postgres;

/// <summary>One schema script of deploy/sql/postgresql, embedded in this assembly.</summary>
/// <param name="Version">The number the file name starts with (001 → 1); scripts run in this order.</param>
/// <param name="Name">The file name without extension, e.g. <c>001-clustering</c>.</param>
/// <param name="Sql">The script text, idempotent.</param>
public sealed record PostgresSchemaScript(int Version, string Name, string Sql);
