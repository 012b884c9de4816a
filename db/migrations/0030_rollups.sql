-- Rollups: per server, per hour and per UTC day, the min, max, sum and count of every metric of
-- server_metrics (avg = sum / count, so buckets merge exactly), the p95 of cpu and memory, and
-- how many 5-minute slots had at least one sample (availability). Maintained by the rollups job
-- from "dirty" markers that a statement-level trigger on server_metrics writes in the same
-- transaction as the raw rows, so a committed sample always has a committed marker.
--
-- p95: hourly p95 is exact (percentile_cont over the raw rows of the hour). Daily p95 is also
-- exact, recomputed from the raw rows of the day when that day is dirty (daily stage, a slower
-- cadence than the hourly stage). A p95 over several buckets (a week, 30 days) is
-- approximated by the sample-weighted mean of the bucket p95s; docs/rollups.md says so.
CREATE TABLE vigil.metrics_hourly (
  server_id     bigint NOT NULL REFERENCES vigil.servers (id) ON DELETE CASCADE,
  bucket        timestamptz NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
  samples       integer NOT NULL CHECK (samples > 0),
  up_slots      integer NOT NULL CHECK (up_slots >= 0),
  first_ts      timestamptz NOT NULL,
  last_ts       timestamptz NOT NULL,
  cpu_usage_min real, cpu_usage_max real, cpu_usage_sum double precision, cpu_usage_count integer NOT NULL DEFAULT 0,
  memory_usage_min real, memory_usage_max real, memory_usage_sum double precision, memory_usage_count integer NOT NULL DEFAULT 0,
  disk_usage_min real, disk_usage_max real, disk_usage_sum double precision, disk_usage_count integer NOT NULL DEFAULT 0,
  load_1_min real, load_1_max real, load_1_sum double precision, load_1_count integer NOT NULL DEFAULT 0,
  load_5_min real, load_5_max real, load_5_sum double precision, load_5_count integer NOT NULL DEFAULT 0,
  load_15_min real, load_15_max real, load_15_sum double precision, load_15_count integer NOT NULL DEFAULT 0,
  network_in_bytes_min bigint, network_in_bytes_max bigint, network_in_bytes_sum bigint, network_in_bytes_count integer NOT NULL DEFAULT 0,
  network_out_bytes_min bigint, network_out_bytes_max bigint, network_out_bytes_sum bigint, network_out_bytes_count integer NOT NULL DEFAULT 0,
  cpu_usage_p95    real,
  memory_usage_p95 real,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (server_id, bucket)
) WITH (fillfactor = 90); -- the open hour is rewritten every minute: leave room for HOT updates

-- Fleet queries read a time window across all servers.
CREATE INDEX metrics_hourly_bucket_idx ON vigil.metrics_hourly (bucket);

-- Same columns; a bucket is a UTC day.
CREATE TABLE vigil.metrics_daily (LIKE vigil.metrics_hourly INCLUDING DEFAULTS);
ALTER TABLE vigil.metrics_daily
  ADD CHECK (bucket = date_trunc('day', bucket, 'UTC')),
  ADD CHECK (samples > 0),
  ADD CHECK (up_slots >= 0),
  ADD PRIMARY KEY (server_id, bucket),
  ADD FOREIGN KEY (server_id) REFERENCES vigil.servers (id) ON DELETE CASCADE;
CREATE INDEX metrics_daily_bucket_idx ON vigil.metrics_daily (bucket);

-- Dirty markers: one row per statement per hour, with the servers it touched. Append-only and
-- without a unique key on purpose: concurrent ingest batches never wait on each other here
-- (ON CONFLICT on a shared key would serialise them until commit); the job de-duplicates.
CREATE TABLE vigil.rollup_dirty_hours (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bucket     timestamptz NOT NULL,
  server_ids bigint[] NOT NULL
);
CREATE INDEX rollup_dirty_hours_bucket_idx ON vigil.rollup_dirty_hours (bucket);
CREATE TABLE vigil.rollup_dirty_days (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bucket     timestamptz NOT NULL,
  server_ids bigint[] NOT NULL
);
CREATE INDEX rollup_dirty_days_bucket_idx ON vigil.rollup_dirty_days (bucket);

-- Watermarks: when each stage (rollup or materialized view) last ran, for status, as_of and lag.
CREATE TABLE vigil.rollup_state (
  stage            text PRIMARY KEY
                   CHECK (stage IN ('hourly', 'daily', 'mv_fleet_overview', 'mv_region_hourly', 'mv_top_talkers')),
  as_of            timestamptz,
  last_run_at      timestamptz,
  last_duration_ms integer,
  last_buckets     integer NOT NULL DEFAULT 0,
  runs             bigint NOT NULL DEFAULT 0
);
INSERT INTO vigil.rollup_state (stage)
VALUES ('hourly'), ('daily'), ('mv_fleet_overview'), ('mv_region_hourly'), ('mv_top_talkers');

-- SECURITY DEFINER: ingest inserts raw rows but may not write rollup tables itself.
CREATE FUNCTION vigil.mark_rollups_dirty() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids)
    SELECT date_trunc('hour', ts, 'UTC'), array_agg(DISTINCT server_id)
      FROM new_rows GROUP BY 1;
  ELSE
    INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids)
    SELECT date_trunc('hour', ts, 'UTC'), array_agg(DISTINCT server_id)
      FROM old_rows GROUP BY 1;
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION vigil.mark_rollups_dirty() FROM PUBLIC;

-- Statement-level with transition tables: one small INSERT per ingest statement, not per row.
-- Fires for INSERT and COPY into vigil.server_metrics (not for writes aimed straight at a
-- partition, which Vigil never does).
CREATE TRIGGER server_metrics_rollups_insert
  AFTER INSERT ON vigil.server_metrics
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.mark_rollups_dirty();
CREATE TRIGGER server_metrics_rollups_delete
  AFTER DELETE ON vigil.server_metrics
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.mark_rollups_dirty();

-- The dirty markers are readable so status and lag can be shown to every role.
GRANT SELECT ON vigil.metrics_hourly, vigil.metrics_daily, vigil.rollup_state,
  vigil.rollup_dirty_hours, vigil.rollup_dirty_days TO vigil_readonly;
