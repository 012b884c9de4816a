-- Ingest merges values of one sample that arrive in several requests (collectd, remote_write)
-- with INSERT … ON CONFLICT DO UPDATE, so a sample can change after its first insert. The
-- triggers of 0030 saw only INSERT and DELETE, and a merged value never reached the rollups.
-- An UPDATE marks the hours of both its old and its new rows dirty.
CREATE OR REPLACE FUNCTION vigil.mark_rollups_dirty() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids)
    SELECT date_trunc('hour', ts, 'UTC'), array_agg(DISTINCT server_id)
      FROM new_rows GROUP BY 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids)
    SELECT date_trunc('hour', ts, 'UTC'), array_agg(DISTINCT server_id)
      FROM old_rows GROUP BY 1;
  ELSE
    INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids)
    SELECT date_trunc('hour', ts, 'UTC'), array_agg(DISTINCT server_id)
      FROM (SELECT server_id, ts FROM old_rows UNION ALL SELECT server_id, ts FROM new_rows) r
     GROUP BY 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER server_metrics_rollups_update
  AFTER UPDATE ON vigil.server_metrics
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.mark_rollups_dirty();
