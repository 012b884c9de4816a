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

/** The most days one ensure_partitions call may cover (its locks must fit the lock table). */
const CHUNK_DAYS = 400;

/** Makes the partitions covering [from, to] (for backfills and late data), a chunk at a time. */
export async function ensurePartitionsFor(db: Queryable, from: Date, to: Date): Promise<number> {
  let made = 0;
  for (let start = from.getTime(); start <= to.getTime(); start += (CHUNK_DAYS + 1) * DAY_MS) {
    const end = Math.min(start + CHUNK_DAYS * DAY_MS, to.getTime());
    made += await ensurePartitionsSql(db, utcDay(new Date(start)), utcDay(new Date(end)));
  }
  return made;
}

export { partitionSummary, type PartitionSummary };
