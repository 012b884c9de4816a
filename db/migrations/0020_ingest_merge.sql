-- Merging a server_metrics row whose values arrive in several requests (Prometheus shards one
-- scrape over several remote_write requests; collectd flushes a small buffer at a time), and a
-- retried batch, without giving vigil_ingest UPDATE or SELECT on the table: ON CONFLICT DO UPDATE
-- would need both, and SELECT would let an ingest token read every metric. This function is the
-- one narrow door: it only fills in values (a non-null new value wins), never deletes, and the
-- table's own PRIMARY KEY, CHECKs and foreign key still judge every row.
CREATE FUNCTION vigil.merge_server_metrics(
  p_server_id bigint[], p_ts timestamptz[],
  p_cpu real[], p_memory real[], p_disk real[],
  p_net_in bigint[], p_net_out bigint[],
  p_load_1 real[], p_load_5 real[], p_load_15 real[])
RETURNS integer
LANGUAGE sql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
  WITH merged AS (
    INSERT INTO vigil.server_metrics AS t
      (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes,
       load_1, load_5, load_15)
    SELECT * FROM unnest(p_server_id, p_ts, p_cpu, p_memory, p_disk, p_net_in, p_net_out,
                         p_load_1, p_load_5, p_load_15)
    ON CONFLICT (server_id, ts) DO UPDATE SET
      cpu_usage         = COALESCE(EXCLUDED.cpu_usage, t.cpu_usage),
      memory_usage      = COALESCE(EXCLUDED.memory_usage, t.memory_usage),
      disk_usage        = COALESCE(EXCLUDED.disk_usage, t.disk_usage),
      network_in_bytes  = COALESCE(EXCLUDED.network_in_bytes, t.network_in_bytes),
      network_out_bytes = COALESCE(EXCLUDED.network_out_bytes, t.network_out_bytes),
      load_1            = COALESCE(EXCLUDED.load_1, t.load_1),
      load_5            = COALESCE(EXCLUDED.load_5, t.load_5),
      load_15           = COALESCE(EXCLUDED.load_15, t.load_15)
    -- A retry that changes nothing writes nothing.
    WHERE (t.cpu_usage, t.memory_usage, t.disk_usage, t.network_in_bytes, t.network_out_bytes,
           t.load_1, t.load_5, t.load_15)
          IS DISTINCT FROM
          (COALESCE(EXCLUDED.cpu_usage, t.cpu_usage), COALESCE(EXCLUDED.memory_usage, t.memory_usage),
           COALESCE(EXCLUDED.disk_usage, t.disk_usage),
           COALESCE(EXCLUDED.network_in_bytes, t.network_in_bytes),
           COALESCE(EXCLUDED.network_out_bytes, t.network_out_bytes),
           COALESCE(EXCLUDED.load_1, t.load_1), COALESCE(EXCLUDED.load_5, t.load_5),
           COALESCE(EXCLUDED.load_15, t.load_15))
    RETURNING 1
  )
  SELECT count(*)::integer FROM merged
$$;

REVOKE ALL ON FUNCTION vigil.merge_server_metrics(bigint[], timestamptz[], real[], real[], real[],
  bigint[], bigint[], real[], real[], real[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vigil.merge_server_metrics(bigint[], timestamptz[], real[], real[], real[],
  bigint[], bigint[], real[], real[], real[]) TO vigil_ingest, vigil_admin;
