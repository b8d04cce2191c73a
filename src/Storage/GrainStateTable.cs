namespace MqttCluster.Storage;

/// <summary>The schema and statements of the single grain state table.</summary>
/// <remarks>
/// One row per (state name, grain id). <c>version</c> is the ETag: it starts at 1 and grows by one on every write,
/// so a writer holding a stale ETag matches no row (optimistic concurrency). <c>updated_at</c> is informational
/// (ISO 8601, UTC) for people inspecting the file with the sqlite3 shell.
/// </remarks>
internal static class GrainStateTable
{
    /// <summary>Stored in <c>PRAGMA user_version</c>; bump it and add a migration when the schema changes.</summary>
    public const int SchemaVersion = 1;

    public const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            state_name TEXT NOT NULL,
            grain_id   TEXT NOT NULL,
            version    INTEGER NOT NULL,
            data       BLOB NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (state_name, grain_id)
        );
        """;

    public const string Select = """
        SELECT version, data FROM grain_state WHERE state_name = $state_name AND grain_id = $grain_id;
        """;

    public const string SelectVersion = """
        SELECT version FROM grain_state WHERE state_name = $state_name AND grain_id = $grain_id;
        """;

    // DO NOTHING + RETURNING: a conflict returns no row instead of raising a constraint error.
    public const string Insert = """
        INSERT INTO grain_state (state_name, grain_id, version, data, updated_at)
        VALUES ($state_name, $grain_id, 1, $data, $updated_at)
        ON CONFLICT (state_name, grain_id) DO NOTHING
        RETURNING version;
        """;

    public const string Update = """
        UPDATE grain_state SET version = version + 1, data = $data, updated_at = $updated_at
        WHERE state_name = $state_name AND grain_id = $grain_id AND version = $version
        RETURNING version;
        """;

    public const string Delete = """
        DELETE FROM grain_state WHERE state_name = $state_name AND grain_id = $grain_id AND version = $version;
        """;
}
