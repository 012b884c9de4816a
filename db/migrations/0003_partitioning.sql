-- Day partitions for the time-series tables, created ahead of time by a scheduler job and on
-- demand by the ingest path.
--
-- There is deliberately no DEFAULT partition: a row whose day has no partition is refused
-- (SQLSTATE 23514, "no partition of relation ... found for row"), and ingest validates the
-- timestamp window before writing. A default partition would silently absorb bad timestamps
-- and, worse, make every later CREATE TABLE ... PARTITION OF scan it under an exclusive lock.
--
-- ensure_day_partition is idempotent and safe when two processes race: a transaction-level
-- advisory lock serialises creators of the same partition, and a concurrent creator that wins
-- anyway is caught by the duplicate_table handler.
CREATE FUNCTION vigil.ensure_day_partition(p_table text, p_day date)
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
  RETURN true;
END $$;

-- Every partitioned table, every day in [p_from, p_to]. Returns how many partitions it made.
CREATE FUNCTION vigil.ensure_partitions(p_from date, p_to date)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
DECLARE
  t text;
  d date;
  made integer := 0;
BEGIN
  IF p_to < p_from THEN
    RAISE EXCEPTION 'ensure_partitions: % is before %', p_to, p_from USING ERRCODE = '22023';
  END IF;
  IF p_to - p_from > 3660 THEN
    RAISE EXCEPTION 'ensure_partitions: range of % days is too large (at most 3660)', p_to - p_from
      USING ERRCODE = '22023';
  END IF;
  FOREACH t IN ARRAY ARRAY['server_metrics', 'metric_samples', 'error_logs'] LOOP
    d := p_from;
    WHILE d <= p_to LOOP
      IF vigil.ensure_day_partition(t, d) THEN
        made := made + 1;
      END IF;
      d := d + 1;
    END LOOP;
  END LOOP;
  RETURN made;
END $$;

REVOKE ALL ON FUNCTION vigil.ensure_day_partition(text, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil.ensure_partitions(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vigil.ensure_partitions(date, date) TO vigil_ingest, vigil_admin;

-- Partitions of a table with their day, for status and retention.
CREATE VIEW vigil.partition_days AS
SELECT parent.relname::text AS parent_table,
       child.relname::text  AS partition_name,
       to_date(right(child.relname, 8), 'YYYYMMDD') AS day
FROM pg_inherits i
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_class child  ON child.oid = i.inhrelid
JOIN pg_namespace n  ON n.oid = parent.relnamespace
WHERE n.nspname = 'vigil'
  AND parent.relname IN ('server_metrics', 'metric_samples', 'error_logs')
  AND child.relname ~ '_p[0-9]{8}$';
GRANT SELECT ON vigil.partition_days TO vigil_readonly, vigil_ingest;
