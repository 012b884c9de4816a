-- ensure_partitions creates every partition of its range in one transaction, and each takes
-- several locks (the table, its index, its constraints); around 1,000 days it exhausts the lock
-- table ("out of shared memory"). Cap one call at 400 days: callers that backfill more (demo,
-- benchmarks) call it per chunk, and the scheduler job never needs more than behind + ahead.
CREATE OR REPLACE FUNCTION vigil.ensure_partitions(p_from date, p_to date)
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
  IF p_to - p_from > 400 THEN
    RAISE EXCEPTION 'ensure_partitions: range of % days is too large (at most 400 per call)', p_to - p_from
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
