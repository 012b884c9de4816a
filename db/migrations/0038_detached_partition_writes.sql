-- Since 0035 ingest COPYs into a day partition by its name (vigil.server_metrics_pYYYYMMDD), and
-- the partition keeps copies of the parent's statement triggers and the ingest role's INSERT.
-- A partition DETACHed from server_metrics (archival, a manual repair) would still accept such
-- a write: the rows would be acknowledged into a table that is no longer part of server_metrics,
-- which is to say lost. The servers check, which runs after every INSERT/UPDATE statement on
-- server_metrics and on each partition, now also refuses a write into a table that is not
-- attached to server_metrics (SQLSTATE 42P01, like a partition that does not exist): ingest
-- then writes through the parent, which places the rows or refuses them ("no partition").
-- One catalog lookup per statement. To detach without racing a running COPY, use plain
-- DETACH PARTITION (it waits for the partition's writers), not CONCURRENTLY.
CREATE OR REPLACE FUNCTION vigil.server_metrics_check_servers()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
DECLARE
  missing bigint;
BEGIN
  IF TG_RELID <> 'vigil.server_metrics'::regclass AND NOT EXISTS (
       SELECT 1 FROM pg_catalog.pg_inherits
        WHERE inhrelid = TG_RELID AND inhparent = 'vigil.server_metrics'::regclass) THEN
    RAISE EXCEPTION 'table "%" is not a partition of "server_metrics": write through vigil.server_metrics', TG_TABLE_NAME
      USING ERRCODE = '42P01', TABLE = TG_TABLE_NAME;
  END IF;
  SELECT n.server_id INTO missing
    FROM (SELECT DISTINCT server_id FROM new_rows) n
   WHERE NOT EXISTS (SELECT 1 FROM vigil.servers s WHERE s.id = n.server_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "server_metrics" violates foreign key "server_metrics_server_id_fkey"'
      USING ERRCODE = '23503', DETAIL = format('Key (server_id)=(%s) is not present in table "servers".', missing),
            TABLE = 'server_metrics', CONSTRAINT = 'server_metrics_server_id_fkey';
  END IF;
  RETURN NULL;
END $$;
