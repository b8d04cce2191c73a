-- 001: Orleans cluster membership on PostgreSQL, for Microsoft.Orleans.Clustering.AdoNet 10.x with invariant "Npgsql".
--
-- Written for this repository from the provider's contract (see README.md beside this file): the provider reads
-- "SELECT QueryKey, QueryText FROM OrleansQuery" once at start and then runs only those texts, binding named
-- parameters (@DeploymentId = the Orleans cluster id, @Address, @Port, @Generation, ...) and reading result columns
-- by name. The tables behind the queries are ours to shape.
--
-- Idempotent: safe to run again (it also upgrades the query texts to this version). PostgresSchema.ApplyAsync runs
-- every script in one transaction under an advisory lock; by hand:
--   psql -v ON_ERROR_STOP=1 --single-transaction -f 001-clustering.sql -f 002-grain-storage.sql "$CONNECTION"

-- Which schema scripts this database has seen; a binary refuses to run against a newer schema than it knows.
CREATE TABLE IF NOT EXISTS schema_version (
    version     integer     PRIMARY KEY,
    script      text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- Name and columns fixed by the provider (unquoted, so they fold to orleansquery(querykey, querytext)).
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey    varchar(64) PRIMARY KEY,
    QueryText   text        NOT NULL
);

-- One row per cluster. Every membership change compares and bumps "version" (the provider's table version and the
-- ETag of every row), so of two silos writing from the same view only one succeeds; I-am-alive heartbeats do not bump it.
CREATE TABLE IF NOT EXISTS orleans_membership_version (
    cluster_id  varchar(150) PRIMARY KEY,
    version     integer      NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port and generation, which is new on every start).
CREATE TABLE IF NOT EXISTS orleans_membership (
    cluster_id       varchar(150) NOT NULL REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE,
    address          varchar(45)  NOT NULL, -- IPv4 or IPv6, as text
    port             integer      NOT NULL, -- silo-to-silo port
    generation       integer      NOT NULL,
    silo_name        varchar(150) NOT NULL,
    host_name        varchar(150) NOT NULL,
    status           integer      NOT NULL, -- Orleans SiloStatus: 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead
    proxy_port       integer      NOT NULL DEFAULT 0, -- gateway (client) port, 0 when the silo hosts no gateway
    suspect_times    text         NULL, -- "silo,time|silo,time" votes, written and parsed by the provider
    start_time       timestamptz  NOT NULL,
    i_am_alive_time  timestamptz  NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- The queries. Result columns are aliased to the names the provider reads; timestamps arrive as UTC DateTime values.
-- Statements that answer "did it work" return exactly one boolean row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Silo start: make sure the cluster has its version row. Returns whether this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created);
$q$),

-- The whole table. The version row comes back even with no silo (all silo columns NULL): the provider takes the
-- version from the first row.
('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId;
$q$),

-- One silo, plus the version (one row with NULL silo columns when the silo has no row).
('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.cluster_id = v.cluster_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.cluster_id = @DeploymentId;
$q$),

-- A silo joins: insert its row if the version is still @Version, bumping it. The existence check sits in the
-- version UPDATE, which locks the version row: two writers holding the same version serialize there and the second
-- no longer matches, so a duplicate silo never costs a version bump.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans_membership_version
    SET version = version + 1, updated_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version AND version < 2147483647
      AND NOT EXISTS (
          SELECT 1 FROM orleans_membership
          WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), inserted AS (
    INSERT INTO orleans_membership
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted);
$q$),

-- A silo's status or suspicion votes change: same compare-and-bump on the version. I-am-alive never moves back.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans_membership_version
    SET version = version + 1, updated_at = now()
    WHERE cluster_id = @DeploymentId AND version = @Version AND version < 2147483647
      AND EXISTS (
          SELECT 1 FROM orleans_membership
          WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), updated AS (
    UPDATE orleans_membership m
    SET status = @Status,
        suspect_times = @SuspectTimes,
        i_am_alive_time = GREATEST(m.i_am_alive_time, @IAmAliveTime)
    FROM bumped
    WHERE m.cluster_id = bumped.cluster_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated);
$q$),

-- Heartbeat (key spelled "Alivetime" by the provider). Not versioned; its result is not checked.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
SET i_am_alive_time = GREATEST(i_am_alive_time, @IAmAliveTime)
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),

-- Clients (standalone gateways) find gateways here; @Status is 3 (Active). Silos without a gateway have port 0.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$q$),

-- Forget a whole cluster: its silo rows go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId;
$q$),

-- Pruning of dead silos, one row at a time: the provider picks Dead rows older than its cutoff from a read and
-- passes back the values it saw; the row goes only if it is still exactly that row.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
  AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '');
$q$),

-- Required by the provider but used only when the per-row query above is missing: Dead rows older than the cutoff.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE cluster_id = @DeploymentId AND status = 6
  AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO schema_version (version, script) VALUES (1, '001-clustering')
ON CONFLICT (version) DO NOTHING;
