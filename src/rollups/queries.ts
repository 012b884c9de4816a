// Rollup maintenance SQL. Identifiers come only from columns.ts and the constant view list.
import type { Queryable } from '../db/pool.ts';
import { AGG_COLUMNS, MERGE_AGGREGATES, P95_METRICS, RAW_AGGREGATES, UPSERT_SET } from './columns.ts';

export const VIEWS = ['mv_fleet_overview', 'mv_region_hourly', 'mv_top_talkers', 'mv_region_daily'] as const;
export type ViewName = (typeof VIEWS)[number];
export type Stage = 'hourly' | 'daily' | ViewName;

/** Advisory-lock keys: one runner per stage at a time, across processes. */
export const LOCK_NAMESPACE = 0x5649_4731; // "VIG1"
export const LOCK_KEY: Record<Stage, number> = {
  hourly: 1,
  daily: 2,
  mv_fleet_overview: 3,
  mv_region_hourly: 4,
  mv_top_talkers: 5,
  mv_region_daily: 6,
};

export async function lockStage(db: Queryable, stage: Stage, wait: boolean): Promise<boolean> {
  const fn = wait ? 'pg_advisory_xact_lock' : 'pg_try_advisory_xact_lock';
  const { rows } = await db.query<{ ok: boolean | string }>(
    `SELECT ${fn}($1::int, $2::int)${wait ? ', true' : ''} AS ok`,
    [LOCK_NAMESPACE, LOCK_KEY[stage]],
  );
  return rows[0]?.ok !== false;
}

/**
 * Settings of every query-API transaction (routes/tx.ts) and of `vigil explain`:
 * - work_mem: grouping a fleet's rollup rows (tens of thousands) sorts and hashes in memory
 *   instead of spilling to disk, which EXPLAIN showed was most of their time;
 * - no parallel workers: these are many small concurrent queries, where starting workers costs
 *   more than it saves and competes with the other requests for the same cores;
 * - random_page_cost 1.1: rollup tables and their indexes are small and hot (in shared buffers),
 *   so a random page costs about what a sequential one does. At the default 4 the planner chose
 *   a sequential scan of metrics_daily over the index-only scan of its covering index (0033)
 *   for a 30-day window, 21 ms against 15 ms for the same top-N query.
 */
export const QUERY_SETTINGS =
  "SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL random_page_cost = 1.1";

const DIRTY_TABLE = { hourly: 'vigil.rollup_dirty_hours', daily: 'vigil.rollup_dirty_days' } as const;

/**
 * Claims the markers of the oldest `limit` dirty buckets into the temp table rollup_pairs
 * (server_id, bucket), deleting them in this transaction: a crash rolls the claim back, and a
 * marker committed after this statement's snapshot stays for the next run.
 */
export async function claimDirty(
  db: Queryable,
  level: 'hourly' | 'daily',
  limit: number,
): Promise<{ pairs: number; lo: Date | null; hi: Date | null }> {
  await db.query(
    'CREATE TEMP TABLE IF NOT EXISTS rollup_pairs (server_id bigint, bucket timestamptz) ON COMMIT DROP',
  );
  const t = DIRTY_TABLE[level];
  const { rowCount } = await db.query(
    `WITH claimed AS (
       DELETE FROM ${t}
        WHERE bucket IN (SELECT DISTINCT bucket FROM ${t} ORDER BY bucket LIMIT $1)
       RETURNING bucket, server_ids
     )
     INSERT INTO rollup_pairs (server_id, bucket)
     SELECT DISTINCT s.server_id, c.bucket FROM claimed c, unnest(c.server_ids) AS s(server_id)`,
    [limit],
  );
  if (!rowCount) return { pairs: 0, lo: null, hi: null };
  await db.query('ANALYZE rollup_pairs');
  const { rows } = await db.query<{ lo: Date; hi: Date }>(
    'SELECT min(bucket) AS lo, max(bucket) AS hi FROM rollup_pairs',
  );
  return { pairs: rowCount, lo: rows[0]?.lo ?? null, hi: rows[0]?.hi ?? null };
}

const COLS = AGG_COLUMNS.join(', ');

/** Re-aggregates every claimed (server, hour) from raw, and drops hours left with no rows. */
export async function rebuildHours(db: Queryable, lo: Date, hi: Date): Promise<number> {
  // $1/$2 bound the raw scan so only the partitions of the claimed hours are read.
  const { rowCount } = await db.query(
    `INSERT INTO vigil.metrics_hourly (server_id, bucket, ${COLS}, updated_at)
     SELECT p.server_id, p.bucket, ${RAW_AGGREGATES.join(', ')}, now()
       FROM rollup_pairs p
       JOIN vigil.server_metrics m
         ON m.server_id = p.server_id AND m.ts >= p.bucket AND m.ts < p.bucket + interval '1 hour'
      WHERE m.ts >= $1 AND m.ts < $2::timestamptz + interval '1 hour'
      GROUP BY p.server_id, p.bucket
      -- Rows of one hour land next to each other, so fleet queries over a time window read few pages.
      ORDER BY p.bucket, p.server_id
     ON CONFLICT (server_id, bucket) DO UPDATE SET ${UPSERT_SET}, updated_at = now()`,
    [lo, hi],
  );
  // A claimed hour the upsert did not write (updated_at is this transaction's now()) has no
  // raw rows left: drop it. Cheaper than probing raw again with NOT EXISTS, which cannot prune
  // partitions per pair and degrades to a scan of every partition.
  await db.query(
    `DELETE FROM vigil.metrics_hourly h USING rollup_pairs p
      WHERE h.server_id = p.server_id AND h.bucket = p.bucket AND h.updated_at <> now()`,
  );
  // The days of these hours must be rebuilt too (by the daily stage, on its own cadence).
  await db.query(
    `INSERT INTO vigil.rollup_dirty_days (bucket, server_ids)
     SELECT date_trunc('day', bucket, 'UTC'), array_agg(DISTINCT server_id) FROM rollup_pairs GROUP BY 1`,
  );
  return rowCount ?? 0;
}

/**
 * Re-aggregates every claimed (server, day): min/max/sum/count from the day's hourly rows
 * (exact merges), p95 recomputed from the raw rows of the day (exact, not an approximation).
 * '24 hours', not '1 day': interval days follow the session time zone's DST, UTC days do not.
 */
export async function rebuildDays(db: Queryable, lo: Date, hi: Date): Promise<number> {
  const merged = MERGE_AGGREGATES.map((e, i) => `${e} AS ${AGG_COLUMNS[i]}`);
  const p95 = P95_METRICS.map(
    (m) => `(percentile_cont(0.95) WITHIN GROUP (ORDER BY m.${m}))::real AS ${m}_p95`,
  );
  const { rowCount } = await db.query(
    `INSERT INTO vigil.metrics_daily (server_id, bucket, ${COLS}, updated_at)
     SELECT a.server_id, a.bucket, ${AGG_COLUMNS.map((c) => (c.endsWith('_p95') ? `r.${c}` : `a.${c}`)).join(', ')}, now()
       FROM (SELECT p.server_id, p.bucket, ${merged.join(', ')}
               FROM rollup_pairs p
               JOIN vigil.metrics_hourly h
                 ON h.server_id = p.server_id AND h.bucket >= p.bucket AND h.bucket < p.bucket + interval '24 hours'
              GROUP BY p.server_id, p.bucket) a
       LEFT JOIN (SELECT p.server_id, p.bucket, ${p95.join(', ')}
                    FROM rollup_pairs p
                    JOIN vigil.server_metrics m
                      ON m.server_id = p.server_id AND m.ts >= p.bucket AND m.ts < p.bucket + interval '24 hours'
                   WHERE m.ts >= $1 AND m.ts < $2::timestamptz + interval '24 hours'
                   GROUP BY p.server_id, p.bucket) r
         ON r.server_id = a.server_id AND r.bucket = a.bucket
      ORDER BY a.bucket, a.server_id
     ON CONFLICT (server_id, bucket) DO UPDATE SET ${UPSERT_SET}, updated_at = now()`,
    [lo, hi],
  );
  await db.query(
    `DELETE FROM vigil.metrics_daily d USING rollup_pairs p
      WHERE d.server_id = p.server_id AND d.bucket = p.bucket AND d.updated_at <> now()`,
  );
  return rowCount ?? 0;
}

export async function refreshView(db: Queryable, view: ViewName): Promise<void> {
  // CONCURRENTLY: readers keep reading the previous contents while the new ones are built.
  await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY vigil.${view}`);
}

export async function recordRun(
  db: Queryable,
  stage: Stage,
  run: { asOf: Date; durationMs: number; buckets: number },
): Promise<void> {
  await db.query(
    `UPDATE vigil.rollup_state
        SET as_of = $2, last_run_at = $2, last_duration_ms = $3, last_buckets = $4, runs = runs + 1
      WHERE stage = $1`,
    [stage, run.asOf, Math.round(run.durationMs), run.buckets],
  );
}

export interface StageState {
  stage: Stage;
  as_of: Date | null;
  last_run_at: Date | null;
  last_duration_ms: number | null;
  last_buckets: number;
  runs: number;
  pending_buckets: number;
  oldest_pending: Date | null;
}

export async function stageStates(db: Queryable): Promise<StageState[]> {
  const { rows } = await db.query<StageState>(
    `SELECT s.stage, s.as_of, s.last_run_at, s.last_duration_ms, s.last_buckets, s.runs,
            coalesce(d.n, 0)::int AS pending_buckets, d.oldest AS oldest_pending
       FROM vigil.rollup_state s
       LEFT JOIN (SELECT 'hourly' AS stage, count(DISTINCT bucket) AS n, min(bucket) AS oldest
                    FROM vigil.rollup_dirty_hours
                  UNION ALL
                  SELECT 'daily', count(DISTINCT bucket), min(bucket) FROM vigil.rollup_dirty_days) d
         ON d.stage = s.stage
      ORDER BY array_position(ARRAY['hourly', 'daily', 'mv_fleet_overview', 'mv_region_hourly', 'mv_top_talkers', 'mv_region_daily'], s.stage)`,
  );
  return rows;
}

/** as_of of every stage (cheap: no look at the marker tables), for answers' freshness. */
export async function stageAsOf(db: Queryable): Promise<Partial<Record<Stage, Date | null>>> {
  const { rows } = await db.query<{ stage: Stage; as_of: Date | null }>(
    'SELECT stage, as_of FROM vigil.rollup_state',
  );
  return Object.fromEntries(rows.map((r) => [r.stage, r.as_of]));
}
