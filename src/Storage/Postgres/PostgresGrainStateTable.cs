namespace MqttCluster.Storage.Postgres;

/// <summary>The statements <see cref="PostgresGrainStorage"/> runs against <c>grain_state</c> (created by
/// deploy/sql/postgresql/002-grain-storage.sql). Parameters: $1 state name, $2 grain id, then as listed.</summary>
internal static class PostgresGrainStateTable
{
    /// <summary>The schema script that creates the table; a database without it needs <c>db init</c>.</summary>
    public const int RequiredSchemaVersion = 2;

    public const string Select = """
        SELECT version, data FROM grain_state WHERE state_name = $1 AND grain_id = $2
        """;

    public const string SelectVersion = """
        SELECT version FROM grain_state WHERE state_name = $1 AND grain_id = $2
        """;

    /// <summary>$3 data, $4 updated at. A row already there returns nothing rather than raising a key violation.</summary>
    public const string Insert = """
        INSERT INTO grain_state (state_name, grain_id, version, data, updated_at)
        VALUES ($1, $2, 1, $3, $4)
        ON CONFLICT (state_name, grain_id) DO NOTHING
        RETURNING version
        """;

    /// <summary>$3 data, $4 updated at, $5 expected version. A stale version matches no row and returns nothing.</summary>
    public const string Update = """
        UPDATE grain_state SET version = version + 1, data = $3, updated_at = $4
        WHERE state_name = $1 AND grain_id = $2 AND version = $5
        RETURNING version
        """;

    /// <summary>$3 expected version.</summary>
    public const string Delete = """
        DELETE FROM grain_state WHERE state_name = $1 AND grain_id = $2 AND version = $3
        """;
}
