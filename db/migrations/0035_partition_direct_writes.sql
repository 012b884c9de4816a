-- Ingest COPYs server_metrics rows straight into their day partition instead of the parent.
--
-- Why: PostgreSQL's COPY into a *partitioned* table falls back to inserting one row at a time
-- whenever the table has a statement trigger with a transition table (see CopyFrom in copyfrom.c:
-- "For partitioned tables we can't support multi-inserts when there are any statement level
-- insert triggers"), and server_metrics has two (the servers check of 0021, the rollup dirty
-- marker of 0030). Aimed at a partition, the same COPY buffers rows and writes them in batches:
-- measured on the 2-core machine, backend CPU per row in 10,000-row transactions went from
-- 3.3–3.7 µs (parent) to 2.9–3.2 µs (partition, same triggers).
--
-- The guarantee must not depend on which table a writer names. A statement-level trigger on the
-- parent does not fire for a write aimed at a partition, so every partition gets a copy of each
-- of its parent's statement-level triggers (same name, same function, same transition tables):
-- an unknown server is refused and rollup hours are marked dirty either way. Statement triggers
-- fire only on the table a statement names, so a write through the parent still fires once.
--
-- vigil.prepare_partition does that for one partition; ensure_day_partition calls it for every
-- partition it creates, and this migration for every partition that exists. A later migration
-- that adds a statement trigger to a parent must call vigil.prepare_partitions() again
-- (test/db/partitions.test.ts fails when a partition lacks one of its parent's triggers).
--
-- Privileges: the ingest role may INSERT into server_metrics partitions, which is what it may
-- do through the parent anyway. Nothing else is granted on partitions; reads, deletes and merges
-- go through the parent.

CREATE FUNCTION vigil.prepare_partition(p_partition regclass)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
-- pg_catalog only: pg_get_triggerdef and regclass::text then always qualify names with vigil.
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parent regclass;
  t record;
  def text;
BEGIN
  SELECT i.inhparent::regclass INTO parent FROM pg_inherits i WHERE i.inhrelid = p_partition;
  IF parent IS NULL OR parent NOT IN ('vigil.server_metrics'::regclass, 'vigil.metric_samples'::regclass,
                                      'vigil.error_logs'::regclass) THEN
    RAISE EXCEPTION 'prepare_partition: % is not a partition of a time-series table', p_partition
      USING ERRCODE = '22023';
  END IF;
  FOR t IN
    SELECT tg.tgname, pg_get_triggerdef(tg.oid) AS def
      FROM pg_trigger tg
     WHERE tg.tgrelid = parent AND NOT tg.tgisinternal AND (tg.tgtype & 1) = 0 -- statement level
       AND NOT EXISTS (SELECT 1 FROM pg_trigger p WHERE p.tgrelid = p_partition AND p.tgname = tg.tgname)
  LOOP
    def := replace(t.def, ' ON ' || parent::text || ' ', ' ON ' || p_partition::text || ' ');
    IF def = t.def THEN
      RAISE EXCEPTION 'prepare_partition: cannot retarget trigger % of %', t.tgname, parent;
    END IF;
    EXECUTE def;
  END LOOP;
  IF parent = 'vigil.server_metrics'::regclass THEN
    EXECUTE format('GRANT INSERT ON %s TO vigil_ingest', p_partition);
  END IF;
END $$;

-- Every existing partition of the three time-series tables; returns how many there are.
CREATE FUNCTION vigil.prepare_partitions()
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p regclass;
  n integer := 0;
BEGIN
  FOR p IN
    SELECT i.inhrelid::regclass FROM pg_inherits i
     WHERE i.inhparent IN ('vigil.server_metrics'::regclass, 'vigil.metric_samples'::regclass,
                           'vigil.error_logs'::regclass)
  LOOP
    PERFORM vigil.prepare_partition(p);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- As in 0003, plus prepare_partition for the partition it makes.
CREATE OR REPLACE FUNCTION vigil.ensure_day_partition(p_table text, p_day date)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
DECLARE
  part text := p_table || '_p' || to_char(p_day, 'YYYYMMDD');
BEGIN
  IF p_table NOT IN ('server_metrics', 'metric_samples', 'error_logs') THEN
    RAISE EXCEPTION 'ensure_day_partition: % is not a partitioned time-series table', p_table
      USING ERRCODE = '22023';
  END IF;
  IF to_regclass(format('vigil.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('vigil.partition'), hashtext(part));
  IF to_regclass(format('vigil.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  BEGIN
    EXECUTE format(
      'CREATE TABLE vigil.%I PARTITION OF vigil.%I FOR VALUES FROM (%L) TO (%L)',
      part, p_table,
      (p_day::timestamp AT TIME ZONE 'UTC'),
      ((p_day + 1)::timestamp AT TIME ZONE 'UTC'));
  EXCEPTION WHEN duplicate_table THEN
    RETURN false;
  END;
  PERFORM vigil.prepare_partition(format('vigil.%I', part)::regclass);
  RETURN true;
END $$;

REVOKE ALL ON FUNCTION vigil.prepare_partition(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil.prepare_partitions() FROM PUBLIC;

SELECT vigil.prepare_partitions();
