// Sends spooled batches to Vigil's JSON ingest endpoint, oldest first, several batches per
// request, gzip-compressed. A failure (network, 5xx, 429, 401/403) is retried with exponential
// backoff and jitter and the batches stay spooled; a 400/413/415 means the batch can never be
// accepted, so it is logged and dropped rather than blocking everything behind it.
// Every request carries an Idempotency-Key derived from the spooled batches it holds, and a retry
// resends exactly the same batches: when the server committed but its answer was lost, the retry
// is answered from the key and nothing (error logs included) is written twice.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Spool } from './spool.ts';

const gzipAsync = promisify(gzip);

export interface AgentBatch {
  hostname: string;
  region?: string;
  labels?: Record<string, string>;
  metadata?: Record<string, unknown>;
  rows: object[];
  series: object[];
}

export interface SenderOptions {
  url: string;
  token: string;
  spool: Spool;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
  /** Batches combined into one request when catching up. */
  batchesPerRequest?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const sleepAbortable = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
  });

/** Delay before retry number `attempt` (0-based): exponential, capped, with full jitter on half. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number): number {
  const exp = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Combines batches of one host into one request body (rows keep their order). */
export function combine(batches: AgentBatch[]): AgentBatch {
  const last = batches[batches.length - 1] as AgentBatch;
  // Metadata rides on a host's first batch only: keep the newest one any batch carried.
  const metadata = batches.findLast((b) => b.metadata !== undefined)?.metadata;
  return {
    ...last,
    ...(metadata ? { metadata } : {}),
    rows: batches.flatMap((b) => b.rows),
    series: batches.flatMap((b) => b.series),
  };
}

/**
 * The key of a request holding these batches: the host (for people reading the keys table) and a
 * hash of the batches, so the same spooled batches always get the same key, across restarts too.
 */
export function idempotencyKey(batch: AgentBatch, json: string): string {
  const host = batch.hostname.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return `agent:${host}:${createHash('sha256').update(json).digest('hex').slice(0, 40)}`;
}

export class Sender {
  private draining: Promise<void> | null = null;
  /** Batches in the request being retried: a retry resends these, not more, so its key holds. */
  private inFlight = 0;
  private readonly abort = new AbortController();
  attempts = 0;

  constructor(private readonly o: SenderOptions) {}

  /** Sends everything spooled; retries until it is all acknowledged or stop() is called. */
  drain(): Promise<void> {
    this.draining ??= this.loop().finally(() => (this.draining = null));
    return this.draining;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.draining;
  }

  private async loop(): Promise<void> {
    const { spool, random = Math.random, sleep = sleepAbortable } = this.o;
    while (!this.abort.signal.aborted) {
      const { batches, bytes } = await spool.read(this.inFlight || (this.o.batchesPerRequest ?? 60));
      if (batches.length === 0) return;
      this.inFlight = batches.length;
      const outcome = await this.send(combine(batches as AgentBatch[]));
      if (outcome === 'ok' || outcome === 'drop') {
        await spool.consume(bytes);
        this.attempts = 0;
        this.inFlight = 0;
        continue;
      }
      const delay = backoffMs(
        this.attempts++,
        this.o.baseDelayMs ?? 1000,
        this.o.maxDelayMs ?? 60_000,
        random,
      );
      await sleep(delay, this.abort.signal);
    }
  }

  private async send(batch: AgentBatch): Promise<'ok' | 'retry' | 'drop'> {
    try {
      const json = JSON.stringify(batch);
      const body = await gzipAsync(json);
      const res = await fetch(new URL('/api/v1/metrics', this.o.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.o.token}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'idempotency-key': idempotencyKey(batch, json),
        },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs ?? 30_000)]),
      });
      const text = await res.text();
      if (res.ok) {
        const summary = JSON.parse(text || '{}') as { rejected?: number; errors?: { reason: string }[] };
        if (summary.rejected)
          this.o.log('warn', 'server refused some rows', {
            rejected: summary.rejected,
            first: summary.errors?.[0],
          });
        return 'ok';
      }
      if ([400, 413, 415, 422].includes(res.status)) {
        this.o.log('error', `server refused a batch for good (HTTP ${res.status}); dropping it`, {
          body: text.slice(0, 300),
        });
        return 'drop';
      }
      this.o.log('warn', `server answered HTTP ${res.status}; will retry`, { attempt: this.attempts });
      return 'retry';
    } catch (e) {
      if (!this.abort.signal.aborted)
        this.o.log('warn', `cannot reach ${this.o.url}: ${(e as Error).message}; will retry`);
      return 'retry';
    }
  }
}
