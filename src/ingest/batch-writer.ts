// One queue for the rows of every request, written in large transactions:
//
// - Requests queue their (already validated, id-resolved) rows and wait. A writer takes what is
//   queued for one role, up to max_batch_rows, and writes it in one transaction under SET LOCAL
//   ROLE of that role, so the database still judges every caller's privileges. While writers are
//   busy the queue grows, so batches get larger exactly when load is high (group commit).
// - server_metrics and metric_samples go in by one binary COPY each, rows sorted by key (the
//   primary-key btree is then filled in order). server_metrics rows are COPYed into their day
//   partition, where PostgreSQL inserts them in batches (migration 0035 explains why and how the
//   partition judges them as the parent would). A duplicate key (a retried batch) aborts a COPY;
//   the writer then rolls back to a savepoint and merges those rows instead (ON CONFLICT), so a
//   retry never duplicates and the common case pays nothing for the possibility.
// - A request's promise resolves only after COMMIT. If a combined batch fails, each request in it
//   is retried alone, so one bad request cannot sink the others.
// - The queue is bounded in rows and bytes: past that, write() throws OVERLOADED (503 with
//   Retry-After) instead of letting memory grow.
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { type Role, dbRole } from '../core/types.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { fromPgError, sqlstateOf } from '../db/sqlstate.ts';
import type { WriteLog, WriteSample } from './copy-binary.ts';
import { type MetricBlock, byDay, sortedBlock } from './metric-block.ts';
import {
  copyLogs,
  copyMetrics,
  copySamples,
  type IngestRequestRecord,
  insertSamplesIgnoringDuplicates,
  mergeMetrics,
  metricsPartition,
  recordIngestRequests,
} from './queries.ts';
import { sortSamples } from './sort-rows.ts';

export interface WriteSet {
  metrics: MetricBlock;
  samples: WriteSample[];
  logs: WriteLog[];
  /** Rows that arrive in pieces (remote_write, collectd, line protocol): merge, do not COPY. */
  mergeMetrics?: boolean;
  /**
   * The request's Idempotency-Key: inserted in the transaction that commits these rows, so the key
   * exists iff the rows do (also when a failed combined batch is retried request by request).
   */
  idempotency?: IngestRequestRecord;
}

export interface Committed {
  metricServerIds: number[];
  logServerIds: number[];
  maxTs: Date | null;
  rows: number;
}

export interface BatchWriterOptions {
  pool: Pool;
  logger: Logger;
  maxBatchRows: number;
  maxQueuedRows: number;
  maxQueuedBytes: number;
  writers: number;
  lingerMs: number;
}

interface Pending {
  role: Role;
  set: WriteSet;
  rows: number;
  bytes: number;
  resolve(): void;
  reject(e: unknown): void;
}

const rowsOf = (s: WriteSet) => s.metrics.length + s.samples.length + s.logs.length;
// The metric rows' memory is outside the JS heap (typed arrays), but counts against the limit.
const bytesOf = (s: WriteSet) =>
  s.metrics.length * 120 + s.samples.length * 60 + s.logs.reduce((n, l) => n + 200 + l.message.length * 2, 0);

export class BatchWriter {
  private readonly queues = new Map<Role, Pending[]>();
  private queuedRows = 0;
  private queuedBytes = 0;
  private busy = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly listeners = new Set<(c: Committed) => void>();

  constructor(private readonly o: BatchWriterOptions) {}

  /** Called after every commit with the servers written; returns an unsubscribe function. */
  onCommitted(fn: (c: Committed) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  stats(): { queuedRows: number; queuedBytes: number; busyWriters: number } {
    return { queuedRows: this.queuedRows, queuedBytes: this.queuedBytes, busyWriters: this.busy };
  }

  /** Resolves once the rows are committed; throws OVERLOADED at once when the queue is full. */
  write(role: Role, set: WriteSet): Promise<void> {
    const rows = rowsOf(set);
    // An empty body with a key still records the key, so a retry with another body gets 422.
    if (rows === 0 && !set.idempotency) return Promise.resolve();
    if (this.closed)
      return Promise.reject(new AppError('UNAVAILABLE', 'ingest is shutting down: retry shortly'));
    const bytes = bytesOf(set);
    if (this.queuedRows + rows > this.o.maxQueuedRows || this.queuedBytes + bytes > this.o.maxQueuedBytes) {
      return Promise.reject(
        new AppError('OVERLOADED', 'ingest queue is full: retry after the time in Retry-After', {
          details: { retryAfterSeconds: 1 },
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(role) ?? [];
      this.queues.set(role, queue);
      queue.push({ role, set, rows, bytes, resolve, reject });
      this.queuedRows += rows;
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  /** Stops taking rows and waits until everything queued is written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pump();
    while (this.busy > 0 || this.queuedRows > 0) {
      await new Promise<void>((r) => this.idleWaiters.push(r));
      this.pump();
    }
  }

  private schedule(): void {
    const full = [...this.queues.values()].some(
      (q) => q.reduce((n, p) => n + p.rows, 0) >= this.o.maxBatchRows,
    );
    if (full || this.o.lingerMs === 0) return this.pump();
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.pump();
    }, this.o.lingerMs);
  }

  /** Starts writers while there are free ones and queued rows. */
  private pump(): void {
    while (this.busy < this.o.writers) {
      const batch = this.take();
      if (!batch) break;
      this.busy++;
      void this.run(batch).finally(() => {
        this.busy--;
        for (const w of this.idleWaiters.splice(0)) w();
        this.pump();
      });
    }
  }

  /** Up to maxBatchRows of the longest role queue (at least one request). */
  private take(): Pending[] | null {
    let best: Pending[] | null = null;
    for (const q of this.queues.values()) if (q.length > 0 && (!best || q.length > best.length)) best = q;
    if (!best) return null;
    const batch: Pending[] = [];
    let rows = 0;
    while (
      best.length > 0 &&
      (batch.length === 0 || rows + (best[0] as Pending).rows <= this.o.maxBatchRows)
    ) {
      const p = best.shift() as Pending;
      batch.push(p);
      rows += p.rows;
    }
    for (const p of batch) {
      this.queuedRows -= p.rows;
      this.queuedBytes -= p.bytes;
    }
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const committed = await this.transaction(
        batch[0]?.role as Role,
        batch.map((p) => p.set),
      );
      for (const p of batch) p.resolve();
      this.notify(committed);
    } catch (e) {
      if (batch.length > 1 && !isConnectionError(e)) {
        // Someone's rows were refused: find whose by writing each request alone.
        for (const p of batch) await this.run([p]);
        return;
      }
      const err = isConnectionError(e)
        ? new AppError('UNAVAILABLE', 'the database is unreachable: retry later', {
            details: { retryAfterSeconds: 5 },
            cause: e,
          })
        : (fromPgError(e) ?? e);
      if (!fromPgError(e)) this.o.logger.error({ err: e, requests: batch.length }, 'ingest batch failed');
      for (const p of batch) p.reject(err);
    }
  }

  private async transaction(role: Role, sets: WriteSet[]): Promise<Committed> {
    const copyRows = sortedBlock(sets.filter((s) => !s.mergeMetrics).map((s) => s.metrics));
    const mergeRows = sortedBlock(sets.filter((s) => s.mergeMetrics).map((s) => s.metrics));
    const samples = sortSamples(sets.flatMap((s) => s.samples));
    const logs = sets.flatMap((s) => s.logs);
    const client = await this.o.pool.connect();
    let broken = false;
    try {
      // The role comes from the constant role list, never from input.
      await client.query(`BEGIN; SET LOCAL ROLE ${dbRole(role)}`);
      for (const day of byDay(copyRows)) await this.copyDay(client, day.rows, metricsPartition(day.dayUs));
      if (mergeRows.length > 0) await mergeMetrics(client, mergeRows);
      if (samples.length > 0) {
        await withFallback(client, () => copySamples(client, samples), {
          '23505': () => insertSamplesIgnoringDuplicates(client, samples),
        });
      }
      if (logs.length > 0) await copyLogs(client, logs);
      const keys = sets.flatMap((s) => (s.idempotency ? [s.idempotency] : []));
      if (keys.length > 0) await recordIngestRequests(client, keys);
      await client.query('COMMIT');
    } catch (e) {
      broken = isConnectionError(e);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw e;
    } finally {
      client.release(broken);
    }
    const metricIds = new Set<number>();
    let maxTs = -Infinity;
    for (const b of [copyRows, mergeRows]) {
      // Sorted by server: each server's run adds its id once.
      for (let i = 0; i < b.length; i++) {
        if (i === 0 || b.serverId[i] !== b.serverId[i - 1]) metricIds.add(b.serverId[i] as number);
        if ((b.tsUs[i] as number) > maxTs) maxTs = b.tsUs[i] as number;
      }
    }
    return {
      metricServerIds: [...metricIds],
      logServerIds: [...new Set(logs.map((l) => l.serverId))],
      maxTs: maxTs === -Infinity ? null : new Date(Math.floor(maxTs / 1000)),
      rows: copyRows.length + mergeRows.length + samples.length + logs.length,
    };
  }

  /**
   * One day's rows, COPYed into its partition. A duplicate key (a retried batch) merges them
   * instead; a partition that is gone (retention dropped it after the registry cached it) sends
   * them through the parent, which refuses them as "no partition" or finds a new one.
   */
  private async copyDay(client: PoolClient, rows: MetricBlock, partition: string): Promise<void> {
    const merge = () => mergeMetrics(client, rows);
    await withFallback(client, () => copyMetrics(client, rows, partition), {
      '23505': merge,
      '42P01': () => withFallback(client, () => copyMetrics(client, rows), { '23505': merge }),
    });
  }

  private notify(c: Committed): void {
    for (const fn of this.listeners) {
      try {
        fn(c);
      } catch (e) {
        this.o.logger.error({ err: e }, 'onCommitted listener failed');
      }
    }
  }
}

/** Runs fast(); when it fails with one of the SQLSTATEs given, rolls back just that and runs its fallback. */
async function withFallback(
  client: PoolClient,
  fast: () => Promise<void>,
  fallbacks: Record<string, () => Promise<void>>,
): Promise<void> {
  await client.query('SAVEPOINT ingest_copy');
  try {
    await fast();
  } catch (e) {
    const fallback = fallbacks[sqlstateOf(e) ?? ''];
    if (!fallback) throw e;
    await client.query('ROLLBACK TO SAVEPOINT ingest_copy');
    await fallback();
  }
}

function isConnectionError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const state = sqlstateOf(e);
  return (
    (state !== undefined && (state.startsWith('08') || state === '57P01' || state === '57P03')) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      String((e as Error)?.message),
    )
  );
}
