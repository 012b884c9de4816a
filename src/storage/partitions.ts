// Day partitions of server_metrics, metric_samples and error_logs. The SQL function
// vigil.ensure_partitions (migration 0003) does the work, race-safe and idempotent.
import type { Queryable } from '../db/pool.ts';
import { ensurePartitionsSql, partitionSummary, type PartitionSummary } from './queries.ts';

const DAY_MS = 86_400_000;
const utcDay = (d: Date): string =>
  new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** Makes the partitions for every day from `behindDays` before `now` to `aheadDays` after. */
export function ensurePartitionsAround(
  db: Queryable,
  now: Date,
  aheadDays: number,
  behindDays: number,
): Promise<number> {
  return ensurePartitionsSql(
    db,
    utcDay(new Date(now.getTime() - behindDays * DAY_MS)),
    utcDay(new Date(now.getTime() + aheadDays * DAY_MS)),
  );
}

/** Makes the partitions covering [from, to] (for backfills and late data). */
export function ensurePartitionsFor(db: Queryable, from: Date, to: Date): Promise<number> {
  return ensurePartitionsSql(db, utcDay(from), utcDay(to));
}

export { partitionSummary, type PartitionSummary };
