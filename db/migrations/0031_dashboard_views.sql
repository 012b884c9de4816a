-- Materialized views behind the dashboard. Each is refreshed CONCURRENTLY by the rollups job
-- (readers never block), which needs a unique index on each. "Now" inside a view is the time
-- of its last refresh: the API reports that as as_of / age_seconds.

-- Fleet overview, one row per region. A server is up when its last sample or last_seen_at is at
-- most 2 minutes old, stale up to 10 minutes, down beyond (or never seen). Current cpu and
-- memory are each server's latest sample of the last 15 minutes (one PK index probe per server).
CREATE MATERIALIZED VIEW vigil.mv_fleet_overview AS
WITH latest AS (
  SELECT s.id, s.region,
         greatest(s.last_seen_at, l.ts) AS seen_at,
         l.cpu_usage, l.memory_usage
    FROM vigil.servers s
    LEFT JOIN LATERAL (
      SELECT m.ts, m.cpu_usage, m.memory_usage
        FROM vigil.server_metrics m
       WHERE m.server_id = s.id
         AND m.ts > now() - interval '15 minutes'
         AND m.ts <= now() + interval '5 minutes'
       ORDER BY m.ts DESC
       LIMIT 1
    ) l ON true
), firing AS (
  SELECT s.region,
         count(*)::int AS firing_alerts,
         count(*) FILTER (WHERE a.severity = 'critical')::int AS firing_critical
    FROM vigil.alerts_history a
    JOIN vigil.servers s ON s.id = a.server_id
   WHERE a.state = 'firing'
   GROUP BY s.region
)
SELECT l.region,
       count(*)::int AS servers,
       count(*) FILTER (WHERE l.seen_at >= now() - interval '2 minutes')::int AS up,
       count(*) FILTER (WHERE l.seen_at < now() - interval '2 minutes'
                          AND l.seen_at >= now() - interval '10 minutes')::int AS stale,
       count(*) FILTER (WHERE l.seen_at IS NULL OR l.seen_at < now() - interval '10 minutes')::int AS down,
       avg(l.cpu_usage)::real AS cpu_usage_avg,
       avg(l.memory_usage)::real AS memory_usage_avg,
       coalesce(max(f.firing_alerts), 0)::int AS firing_alerts,
       coalesce(max(f.firing_critical), 0)::int AS firing_critical
  FROM latest l
  LEFT JOIN firing f ON f.region = l.region
 GROUP BY l.region;
CREATE UNIQUE INDEX mv_fleet_overview_region_idx ON vigil.mv_fleet_overview (region);

-- Per-region hourly health over the last 7 days, from metrics_hourly. p95 across servers is
-- the sample-weighted mean of the servers' exact hourly p95s.
CREATE MATERIALIZED VIEW vigil.mv_region_hourly AS
SELECT s.region,
       h.bucket,
       count(*)::int AS servers_reporting,
       sum(h.samples)::bigint AS samples,
       (sum(h.cpu_usage_sum) / nullif(sum(h.cpu_usage_count), 0))::real AS cpu_usage_avg,
       max(h.cpu_usage_max) AS cpu_usage_max,
       (sum(h.cpu_usage_p95 * h.cpu_usage_count)
          / nullif(sum(h.cpu_usage_count) FILTER (WHERE h.cpu_usage_p95 IS NOT NULL), 0))::real AS cpu_usage_p95,
       (sum(h.memory_usage_sum) / nullif(sum(h.memory_usage_count), 0))::real AS memory_usage_avg,
       max(h.memory_usage_max) AS memory_usage_max,
       (sum(h.memory_usage_p95 * h.memory_usage_count)
          / nullif(sum(h.memory_usage_count) FILTER (WHERE h.memory_usage_p95 IS NOT NULL), 0))::real AS memory_usage_p95,
       (sum(h.disk_usage_sum) / nullif(sum(h.disk_usage_count), 0))::real AS disk_usage_avg,
       max(h.disk_usage_max) AS disk_usage_max,
       sum(h.network_in_bytes_sum)::bigint AS network_in_bytes,
       sum(h.network_out_bytes_sum)::bigint AS network_out_bytes
  FROM vigil.metrics_hourly h
  JOIN vigil.servers s ON s.id = h.server_id
 WHERE h.bucket >= date_trunc('hour', now(), 'UTC') - interval '7 days'
 GROUP BY s.region, h.bucket;
CREATE UNIQUE INDEX mv_region_hourly_key_idx ON vigil.mv_region_hourly (region, bucket);

-- Top talkers: network bytes per server over the last 24 hours (the open hour included as far
-- as the hourly rollup has it).
CREATE MATERIALIZED VIEW vigil.mv_top_talkers AS
SELECT h.server_id,
       s.hostname,
       s.region,
       sum(h.network_in_bytes_sum)::bigint AS network_in_bytes,
       sum(h.network_out_bytes_sum)::bigint AS network_out_bytes,
       (coalesce(sum(h.network_in_bytes_sum), 0) + coalesce(sum(h.network_out_bytes_sum), 0))::bigint AS network_bytes
  FROM vigil.metrics_hourly h
  JOIN vigil.servers s ON s.id = h.server_id
 WHERE h.bucket >= date_trunc('hour', now(), 'UTC') - interval '23 hours'
 GROUP BY h.server_id, s.hostname, s.region;
CREATE UNIQUE INDEX mv_top_talkers_server_idx ON vigil.mv_top_talkers (server_id);
-- "Top N" reads the first N entries of this index, no sort.
CREATE INDEX mv_top_talkers_bytes_idx ON vigil.mv_top_talkers (network_bytes DESC, server_id);

GRANT SELECT ON vigil.mv_fleet_overview, vigil.mv_region_hourly, vigil.mv_top_talkers TO vigil_readonly;
