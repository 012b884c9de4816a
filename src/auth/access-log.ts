// The audit trail of API calls (vigil.user_access_logs), written in batches.
//
// One INSERT transaction per request was most of the database's work for small requests: an
// agent posting one row paid for its row and again for its access-log row. Entries now wait up
// to `flushMs` (or until `maxBatch` are queued) and go in with one multi-row INSERT. They were
// already written after the response, without holding it up; what changes is that a crash can
// lose the entries of the last flush interval instead of the ones in flight. Past `maxQueued`
// entries not yet written (waiting, or in batches behind a slow or unreachable database) new
// entries are dropped and counted in the log, so memory stays bounded; `close()` writes what is
// queued.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { type AccessLogEntry, insertAccessLogs } from './queries.ts';

export interface AccessLogOptions {
  flushMs: number;
  maxBatch: number;
  maxQueued: number;
}

const DEFAULTS: AccessLogOptions = { flushMs: 200, maxBatch: 1000, maxQueued: 100_000 };

export class AccessLogWriter {
  private queue: AccessLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Entries added and not yet written or given up: the queue and the batches behind it. */
  private unwritten = 0;
  private dropped = 0;
  private readonly o: AccessLogOptions;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    options: Partial<AccessLogOptions> = {},
  ) {
    this.o = { ...DEFAULTS, ...options };
  }

  add(entry: AccessLogEntry): void {
    if (this.unwritten >= this.o.maxQueued) {
      this.dropped++;
      return;
    }
    this.unwritten++;
    this.queue.push(entry);
    if (this.queue.length >= this.o.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.flushMs);
  }

  /** Writes everything queued so far; resolves when it is committed (or failed and was logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    const dropped = this.dropped;
    this.dropped = 0;
    this.writing = this.writing.then(async () => {
      if (dropped > 0) this.logger.warn({ dropped }, 'access log queue full: entries dropped');
      // A batch is at most maxBatch entries: add() flushes as soon as the queue holds that many.
      await insertAccessLogs(this.pool, batch).catch((e: unknown) =>
        this.logger.warn({ err: e, entries: batch.length }, 'could not write access log'),
      );
      this.unwritten -= batch.length;
    });
    return this.writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
