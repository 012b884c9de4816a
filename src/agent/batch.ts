// What the agent sends and what its spool holds. A spooled entry is a batch and the
// Idempotency-Key it is sent with: the key is on disk next to the batch, so an agent restarted
// while a request was being retried sends that same request again under the same key, and the
// server answers it from the key instead of writing it twice.
import { createHash } from 'node:crypto';
import { isObject } from '../core/types.ts';

export interface AgentBatch {
  hostname: string;
  region?: string;
  labels?: Record<string, string>;
  metadata?: Record<string, unknown>;
  rows: object[];
  series: object[];
}

export interface SpoolEntry {
  key: string;
  batch: AgentBatch;
  /**
   * Set once the entry has been offered to the server: from then on it is sent as it is, alone
   * and under its key, never combined again with what was spooled after it.
   */
  sent: boolean;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 40);

const hostPart = (batch: AgentBatch) =>
  (typeof batch.hostname === 'string' ? batch.hostname : '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);

/**
 * The key of a request whose body is `json`: the host (for people reading the keys table) and a
 * hash of the body, so the same batch always gets the same key.
 */
export function idempotencyKey(batch: AgentBatch, json: string): string {
  return `agent:${hostPart(batch)}:${sha(json)}`;
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

export function newEntry(batch: AgentBatch): SpoolEntry {
  return { key: idempotencyKey(batch, JSON.stringify(batch)), batch, sent: false };
}

export const encodeEntry = (e: SpoolEntry): string =>
  JSON.stringify({ key: e.key, ...(e.sent ? { sent: true } : {}), batch: e.batch });

/**
 * One spool line as an entry; null for a line that is not one (torn by a crash during append).
 * A line of the format before keys were spooled is the batch itself: its key is the one that
 * format's sender gave a request holding only this batch (a hash of the line), the same on every
 * read and across restarts.
 */
export function decodeEntry(line: string): SpoolEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  if (typeof v.key === 'string' && v.key !== '' && isObject(v.batch) && !('rows' in v))
    return { key: v.key, batch: v.batch as unknown as AgentBatch, sent: v.sent === true };
  const batch = v as unknown as AgentBatch;
  return { key: idempotencyKey(batch, line), batch, sent: false };
}

const sameHost = (a: AgentBatch, b: AgentBatch) =>
  a.hostname === b.hostname &&
  a.region === b.region &&
  JSON.stringify(a.labels ?? {}) === JSON.stringify(b.labels ?? {});

/**
 * How many of the leading entries go into the next request: one if the first was sent before
 * (it is replayed as it is), else the unsent entries of the first one's host, region and labels
 * (a restart with another --hostname must not move rows to the new name).
 */
export function groupSize(entries: readonly SpoolEntry[]): number {
  const first = entries[0];
  if (!first) return 0;
  if (first.sent) return 1;
  let n = 1;
  while (n < entries.length && !entries[n]?.sent && sameHost(first.batch, (entries[n] as SpoolEntry).batch))
    n++;
  return n;
}

/** The entries of one request as one sent entry; its key follows from theirs. */
export function group(entries: readonly SpoolEntry[]): SpoolEntry {
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only) return { ...only, sent: true };
  const batch = combine(entries.map((e) => e.batch));
  return { key: `agent:${hostPart(batch)}:${sha(entries.map((e) => e.key).join('\n'))}`, batch, sent: true };
}
