-- server_metrics → servers integrity, checked once per statement instead of once per row.
--
-- The foreign key made PostgreSQL look up and lock (FOR KEY SHARE) the vigil.servers row for
-- every inserted row. At ingest rates that was the largest single cost: binary COPY of
-- key-sorted rows measured ~149k rows/s with the FK and ~336k without it on the target 2-core
-- machine. The guarantee stays what the FK gave, enforced by the database for every writer:
--   * rows may only name existing servers: after every INSERT or UPDATE statement on
--     server_metrics, the distinct server_ids of the new rows are checked against servers in one
--     anti-join (SQLSTATE 23503 when one is missing, as with the FK);
--   * a server that still has metrics cannot be deleted or truncated away. Instead of a row lock
--     per inserted row, deleting a server takes a SHARE lock on server_metrics: it waits for
--     transactions that are inserting metrics and blocks new ones until it commits, so the
--     EXISTS check after it sees every row that could refer to the server. Deleting servers is
--     rare (admin only, and only once retention removed their metrics), ingest is constant:
--     the cost belongs on the rare side.

CREATE FUNCTION vigil.server_metrics_check_servers()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
DECLARE
  missing bigint;
BEGIN
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

CREATE TRIGGER server_metrics_servers_on_insert
  AFTER INSERT ON vigil.server_metrics
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.server_metrics_check_servers();
CREATE TRIGGER server_metrics_servers_on_update
  AFTER UPDATE ON vigil.server_metrics
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.server_metrics_check_servers();

CREATE FUNCTION vigil.servers_keep_metrics()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    LOCK TABLE vigil.server_metrics IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM vigil.server_metrics) THEN
      RAISE EXCEPTION 'cannot truncate "servers": server_metrics rows refer to it' USING ERRCODE = '23503';
    END IF;
    RETURN NULL;
  END IF;
  -- Waits for in-flight metric inserts and holds new ones off until this transaction ends.
  LOCK TABLE vigil.server_metrics IN SHARE MODE;
  IF EXISTS (SELECT 1 FROM vigil.server_metrics WHERE server_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "servers" violates foreign key "server_metrics_server_id_fkey" on table "server_metrics"'
      USING ERRCODE = '23503', DETAIL = format('Key (id)=(%s) is still referenced from table "server_metrics".', OLD.id),
            TABLE = 'servers', CONSTRAINT = 'server_metrics_server_id_fkey';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER servers_keep_metrics_on_delete
  BEFORE DELETE ON vigil.servers
  FOR EACH ROW EXECUTE FUNCTION vigil.servers_keep_metrics();
CREATE TRIGGER servers_keep_metrics_on_truncate
  BEFORE TRUNCATE ON vigil.servers
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.servers_keep_metrics();

ALTER TABLE vigil.server_metrics DROP CONSTRAINT server_metrics_server_id_fkey;

REVOKE ALL ON FUNCTION vigil.server_metrics_check_servers() FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil.servers_keep_metrics() FROM PUBLIC;
