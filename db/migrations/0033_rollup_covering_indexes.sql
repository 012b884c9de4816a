-- Fleet-window reads (top-N servers over a window, and the hourly edges of a long window) read
-- tens of thousands of rollup rows per query, but only a few narrow columns of each. Read from
-- the heap, most of their time was spent deforming 40-column rows to reach cpu_usage_p95 near
-- the end (slowest when a row has NULLs, e.g. no load_5/load_15, which disables cached column
-- offsets). These indexes replace the plain (bucket) ones with the same key plus the columns of
-- top-N by avg, sum and p95 of cpu_usage and memory_usage (the dashboard's top panels), so
-- those run as index-only scans of ~60-byte tuples. Kept narrow on purpose: with every
-- dashboard column included (17) the tuples were as slow to deform as the heap's. Other
-- metrics and stats still use the key and fetch from the heap, as before.
--
-- Cost: an upsert of an hourly row now changes indexed columns, so it is no longer a HOT
-- update (docs/performance.md has the incremental refresh before and after).
DROP INDEX vigil.metrics_hourly_bucket_idx;
CREATE INDEX metrics_hourly_bucket_idx ON vigil.metrics_hourly (bucket)
  INCLUDE (server_id, samples, cpu_usage_sum, cpu_usage_count, cpu_usage_p95,
           memory_usage_sum, memory_usage_count, memory_usage_p95);

DROP INDEX vigil.metrics_daily_bucket_idx;
CREATE INDEX metrics_daily_bucket_idx ON vigil.metrics_daily (bucket)
  INCLUDE (server_id, samples, cpu_usage_sum, cpu_usage_count, cpu_usage_p95,
           memory_usage_sum, memory_usage_count, memory_usage_p95);
