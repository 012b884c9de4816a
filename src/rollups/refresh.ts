// The rollup stages. Each claims dirty buckets in batches, one transaction per batch under a
// per-stage advisory lock, so two runners (two Vigil processes, or the job and `vigil rollups
// refresh`) serialise and converge on the same rows; a crash rolls a batch back and leaves its
// markers for the next run (that is the watermark: the markers still in the table).
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import {
  claimDirty,
  lockStage,
  rebuildDays,
  rebuildHours,
  recordRun,
  refreshView,
  VIEWS,
  type ViewName,
} from './queries.ts';

export interface RefreshResult {
  batches: number;
  buckets: number;
  rows: number;
  durationMs: number;
  /** false when another runner held the lock and wait was not asked for. */
  ran: boolean;
}

export interface RefreshOptions {
  now: Date;
  /** Distinct buckets per transaction. */
  batchBuckets?: number;
  /** Wait for another runner instead of skipping. Default true. */
  wait?: boolean;
  signal?: AbortSignal;
}

async function refreshLevel(
  pool: Pool,
  level: 'hourly' | 'daily',
  opts: RefreshOptions,
): Promise<RefreshResult> {
  const t0 = performance.now();
  const limit = opts.batchBuckets ?? (level === 'hourly' ? 24 : 7);
  const result: RefreshResult = { batches: 0, buckets: 0, rows: 0, durationMs: 0, ran: true };
  for (;;) {
    if (opts.signal?.aborted) break;
    const batch = await withTransaction(pool, async (c) => {
      if (!(await lockStage(c, level, opts.wait ?? true))) return null;
      // percentile_cont and the slot count sort every bucket's rows: keep those sorts in memory.
      await c.query("SET LOCAL work_mem = '64MB'");
      const claim = await claimDirty(c, level, limit);
      if (!claim.lo || !claim.hi) return { pairs: 0, rows: 0 };
      const rows =
        level === 'hourly'
          ? await rebuildHours(c, claim.lo, claim.hi)
          : await rebuildDays(c, claim.lo, claim.hi);
      return { pairs: claim.pairs, rows };
    });
    if (batch === null) {
      result.ran = false;
      break;
    }
    if (batch.pairs === 0) break;
    result.batches += 1;
    result.buckets += batch.pairs;
    result.rows += batch.rows;
  }
  result.durationMs = performance.now() - t0;
  // An aborted run (shutdown) leaves markers behind: it is not a completed run to date as_of by.
  if (result.ran && !opts.signal?.aborted)
    await recordRun(pool, level, { asOf: opts.now, durationMs: result.durationMs, buckets: result.buckets });
  return result;
}

/** Rebuilds every dirty (server, hour) from raw. */
export const refreshHourly = (pool: Pool, opts: RefreshOptions): Promise<RefreshResult> =>
  refreshLevel(pool, 'hourly', opts);

/** Rebuilds every dirty (server, day) from hourly rows and the day's raw p95. */
export const refreshDaily = (pool: Pool, opts: RefreshOptions): Promise<RefreshResult> =>
  refreshLevel(pool, 'daily', opts);

/** Refreshes the dashboard views CONCURRENTLY; returns milliseconds per view. */
export async function refreshViews(
  pool: Pool,
  opts: { now: Date; views?: readonly ViewName[]; wait?: boolean },
): Promise<Partial<Record<ViewName, number>>> {
  const out: Partial<Record<ViewName, number>> = {};
  for (const view of opts.views ?? VIEWS) {
    const t0 = performance.now();
    const ran = await withTransaction(pool, async (c) => {
      if (!(await lockStage(c, view, opts.wait ?? true))) return false;
      await refreshView(c, view);
      await recordRun(c, view, { asOf: opts.now, durationMs: performance.now() - t0, buckets: 0 });
      return true;
    });
    if (ran) out[view] = performance.now() - t0;
  }
  return out;
}
