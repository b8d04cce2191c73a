-- 002: grain state for PostgresGrainStorage (src/Storage/Postgres), the cluster's Orleans grain storage.
--
-- One row per (state name, grain id). "version" is the ETag: 1 on insert, +1 on every write, so a writer holding a
-- stale ETag matches no row (optimistic concurrency). "data" is the Orleans binary serialization of the state.
-- Idempotent, like 001.

CREATE TABLE IF NOT EXISTS grain_state (
    state_name  text        NOT NULL,
    grain_id    text        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    data        bytea       NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (state_name, grain_id)
) WITH (fillfactor = 80); -- room in each page for the new row version: writes touch no indexed column (HOT updates)

INSERT INTO schema_version (version, script) VALUES (2, '002-grain-storage')
ON CONFLICT (version) DO NOTHING;
