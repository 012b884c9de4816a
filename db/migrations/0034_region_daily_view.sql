-- Per-region daily health over the last 31 days, from metrics_daily: the "regions, 30 days,
-- 1 day step" dashboard panel. Computed on every request from metrics_daily it grouped 31,000
-- rows of 1,000 servers (joined to servers for the region) into 248 points: ~25-30 ms, the
-- slowest dashboard query. The view holds those 248 rows, refreshed CONCURRENTLY with the other
-- views (as of its last refresh, like mv_region_hourly); other ranges and steps still read
-- metrics_daily. Same expressions as the API's metrics_daily path (src/rollups/fleet.ts), so
-- both give the same numbers. '744 hours', not '31 days': interval days follow the session
-- time zone's DST, UTC days do not.
CREATE MATERIALIZED VIEW vigil.mv_region_daily AS
SELECT s.region,
       h.bucket,
       count(*)::int AS servers_reporting,
       (sum(h.cpu_usage_sum) / nullif(sum(h.cpu_usage_count), 0))::real AS cpu_usage_avg,
       max(h.cpu_usage_max) AS cpu_usage_max,
       (sum(h.cpu_usage_p95 * h.cpu_usage_count)
          / nullif(sum(h.cpu_usage_count) FILTER (WHERE h.cpu_usage_p95 IS NOT NULL), 0))::real AS cpu_usage_p95,
       (sum(h.memory_usage_sum) / nullif(sum(h.memory_usage_count), 0))::real AS memory_usage_avg,
       max(h.memory_usage_max) AS memory_usage_max,
       (sum(h.memory_usage_p95 * h.memory_usage_count)
          / nullif(sum(h.memory_usage_count) FILTER (WHERE h.memory_usage_p95 IS NOT NULL), 0))::real AS memory_usage_p95,
       (sum(h.disk_usage_sum) / nullif(sum(h.disk_usage_count), 0))::real AS disk_usage_avg,
       sum(h.network_in_bytes_sum)::bigint AS network_in_bytes,
       sum(h.network_out_bytes_sum)::bigint AS network_out_bytes
  FROM vigil.metrics_daily h
  JOIN vigil.servers s ON s.id = h.server_id
 WHERE h.bucket >= date_trunc('day', now(), 'UTC') - interval '744 hours'
 GROUP BY s.region, h.bucket;
CREATE UNIQUE INDEX mv_region_daily_key_idx ON vigil.mv_region_daily (region, bucket);
GRANT SELECT ON vigil.mv_region_daily TO vigil_readonly;

-- Its refresh is a stage like the other views: as_of, duration, runs.
ALTER TABLE vigil.rollup_state DROP CONSTRAINT rollup_state_stage_check;
ALTER TABLE vigil.rollup_state ADD CONSTRAINT rollup_state_stage_check
  CHECK (stage IN ('hourly', 'daily', 'mv_fleet_overview', 'mv_region_hourly', 'mv_top_talkers', 'mv_region_daily'));
INSERT INTO vigil.rollup_state (stage) VALUES ('mv_region_daily');
