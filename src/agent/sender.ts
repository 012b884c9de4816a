// Sends spooled batches to Vigil's JSON ingest endpoint, oldest first, several batches per
// request, gzip-compressed. A failure (network, 5xx, 429, 401/403) is retried with exponential
// backoff and jitter and the batches stay spooled; a 400/413/415 means the batch can never be
// accepted, so it is logged and dropped rather than blocking everything behind it.
// Every request carries the Idempotency-Key spooled with it, and a retry resends exactly the same
// spooled entry, in this process or after a restart: when the server committed but its answer was
// lost, the retry is answered from the key and nothing (error logs included) is written twice.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type SpoolEntry, groupSize } from './batch.ts';
import type { Spool } from './spool.ts';

const gzipAsync = promisify(gzip);

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

export class Sender {
  private draining: Promise<void> | null = null;
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
    const { random = Math.random, sleep = sleepAbortable } = this.o;
    while (!this.abort.signal.aborted) {
      let step: 'done' | 'sent' | 'retry';
      try {
        step = await this.step();
      } catch (e) {
        // A spool that cannot be read or rewritten (disk full) must not end the agent: the
        // batches are still on disk, so it is tried again like a failed request.
        this.o.log('error', `spool ${this.o.spool.path}: ${(e as Error).message}; will retry`);
        step = 'retry';
      }
      if (step === 'done') return;
      if (step === 'sent') {
        this.attempts = 0;
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

  /** Sends the oldest spooled request once; 'sent' when it has left the spool. */
  private async step(): Promise<'done' | 'sent' | 'retry'> {
    const { spool } = this.o;
    const { entries } = await spool.read(this.o.batchesPerRequest ?? 60);
    const first = entries[0];
    if (!first) return 'done';
    // Sealed before the first attempt, so a retry (or a restarted agent) resends this request
    // and not a regrouping of it with what was spooled meanwhile under another key.
    const request = first.sent ? first : await spool.seal(entries.slice(0, groupSize(entries)));
    if ((await this.send(request)) === 'retry') return 'retry';
    await spool.consume(request.end);
    return 'sent';
  }

  private async send({ key, batch }: SpoolEntry): Promise<'ok' | 'retry' | 'drop'> {
    try {
      const body = await gzipAsync(JSON.stringify(batch));
      const res = await fetch(new URL('/api/v1/metrics', this.o.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.o.token}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'idempotency-key': key,
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
