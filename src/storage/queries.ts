import type { Queryable } from '../db/pool.ts';

export async function ensurePartitionsSql(db: Queryable, fromDay: string, toDay: string): Promise<number> {
  const { rows } = await db.query<{ made: number }>(
    'SELECT vigil.ensure_partitions($1::date, $2::date) AS made',
    [fromDay, toDay],
  );
  return rows[0]?.made ?? 0;
}

export interface PartitionSummary {
  table: string;
  partitions: number;
  first_day: string | null;
  last_day: string | null;
  days_ahead: number | null;
}

export async function partitionSummary(db: Queryable, today: Date): Promise<PartitionSummary[]> {
  const { rows } = await db.query<PartitionSummary>(
    `SELECT t.tbl AS "table", count(p.day)::int AS partitions,
            min(p.day)::text AS first_day, max(p.day)::text AS last_day,
            (max(p.day) - ($1::timestamptz AT TIME ZONE 'UTC')::date)::int AS days_ahead
       FROM unnest(ARRAY['server_metrics', 'metric_samples', 'error_logs']) AS t(tbl)
       LEFT JOIN vigil.partition_days p ON p.parent_table = t.tbl
      GROUP BY t.tbl ORDER BY t.tbl`,
    [today],
  );
  return rows;
}
