// From parsed rows to committed rows, for every source (HTTP routes, syslog, scraper, the local
// agent): resolve server and series ids and make partitions under the caller's role, then hand
// the rows to the batch writer and wait for the commit.
import { AppError } from '../core/errors.ts';
import type { Role } from '../core/types.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withRole } from '../db/transaction.ts';
import type { BatchWriter, WriteSet } from './batch-writer.ts';
import { MetricBlock, emptyBlock } from './metric-block.ts';
import { findIngestRequest } from './queries.ts';
import type { Registry } from './registry.ts';
import { type HostRef, type ParseResult, type RowError, metricRowsOf } from './types.ts';

/** What a request is told: how many rows were kept and why each refused one was refused. */
export interface IngestSummary {
  accepted: number;
  rejected: number;
  errors: RowError[];
  /** More errors than listed (the list is capped). */
  errors_truncated: boolean;
}

const MAX_LISTED_ERRORS = 100;

/** A request's Idempotency-Key, scoped to its token and endpoint, and the hash of its body. */
export interface Idempotency {
  tokenId: number;
  endpoint: string;
  key: string;
  bodySha256: Buffer;
}

/** The key was committed by another request while this one was being written. */
const isKeyTaken = (e: unknown): boolean =>
  e instanceof AppError &&
  e.code === 'CONFLICT' &&
  (e.details as { constraint?: string } | undefined)?.constraint === 'ingest_requests_pkey';

class CacheMiss extends Error {}
/** A Queryable for the cached path: any query means something was not cached. */
const CACHE_ONLY = { query: () => Promise.reject(new CacheMiss()) } as unknown as Queryable;

export function summarize(result: ParseResult): IngestSummary {
  const refused = new Set<number>();
  for (const e of result.errors) if (e.index >= 0) refused.add(e.index);
  const rejected = Math.min(result.total, refused.size);
  return {
    accepted: result.total - rejected,
    rejected,
    errors: result.errors.slice(0, MAX_LISTED_ERRORS),
    errors_truncated: result.errors.length > MAX_LISTED_ERRORS,
  };
}

/** The accepted metric rows with server ids; columns alone (the JSON fast path) are not copied. */
function metricBlock(result: ParseResult, idOf: (h: HostRef) => number): MetricBlock {
  const cols = result.columns;
  if (cols && result.metrics.length === 0) {
    const hostIds = cols.hosts.map(idOf);
    const serverId = new Float64Array(cols.length);
    for (let i = 0; i < cols.length; i++) serverId[i] = hostIds[cols.host[i] as number] as number;
    return MetricBlock.of(serverId, cols.tsUs, cols.values);
  }
  const rows = metricRowsOf(result);
  const block = new MetricBlock(rows.length);
  rows.forEach((r, i) => block.set(i, idOf(r.host), r.tsUs, r));
  return block;
}

export class IngestService {
  constructor(
    private readonly pool: Pool,
    private readonly writer: BatchWriter,
    private readonly registry: Registry,
  ) {}

  /**
   * Writes what the parser accepted and resolves after COMMIT. A body-level error (index -1) or
   * a body whose every row was refused is a 400 carrying the per-row reasons.
   */
  async ingest(
    role: Role,
    result: ParseResult,
    options: { merge?: boolean; idempotency?: Idempotency } = {},
  ): Promise<IngestSummary> {
    const summary = summarize(result);
    if (result.errors.some((e) => e.index < 0) || (result.total > 0 && summary.accepted === 0)) {
      throw new AppError('VALIDATION_FAILED', result.errors[0]?.reason ?? 'no row was accepted', {
        details: summary,
      });
    }
    for (let attempt = 0; ; attempt++) {
      const set = await this.resolve(role, result);
      set.mergeMetrics = options.merge === true;
      if (options.idempotency) set.idempotency = { ...options.idempotency, response: summary };
      try {
        await this.writer.write(role, set);
        break;
      } catch (e) {
        // A refusal may come from a stale cache: a partition dropped by retention, a server an
        // admin deleted. Forget the cache; a missing partition is made again and retried once.
        const code = (e as AppError).details as { sqlstate?: string } | undefined;
        if (!(e instanceof AppError) || e.status < 500) this.registry.forget();
        const noPartition = code?.sqlstate === '23514' && /no partition/.test((e as Error).message);
        if (!noPartition || attempt > 0) throw e;
      }
    }
    return summary;
  }

  /**
   * ingest() for a request with an Idempotency-Key: a key already committed with the same body is
   * answered with the stored summary (replayed, nothing written, the body not even parsed); with
   * another body it is a 422. Two requests with one key in flight at once: the second one's
   * INSERT of the key waits on the primary key until the first commits, then fails, its rows roll
   * back with it, and it replays the first one's answer.
   */
  async ingestOnce(
    role: Role,
    idempotency: Idempotency,
    parse: () => ParseResult,
    options: { merge?: boolean } = {},
  ): Promise<{ summary: IngestSummary; replayed: boolean }> {
    const prior = await this.replay(role, idempotency);
    if (prior) return { summary: prior, replayed: true };
    try {
      return { summary: await this.ingest(role, parse(), { ...options, idempotency }), replayed: false };
    } catch (e) {
      if (!isKeyTaken(e)) throw e;
      const winner = await this.replay(role, idempotency);
      if (!winner) throw e;
      return { summary: winner, replayed: true };
    }
  }

  private async replay(role: Role, idem: Idempotency): Promise<IngestSummary | null> {
    const row = await withRole(this.pool, role, (client) =>
      findIngestRequest(client, idem.tokenId, idem.endpoint, idem.key),
    );
    if (!row) return null;
    if (!row.bodySha256.equals(idem.bodySha256)) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${idem.key} was already used for a different ${idem.endpoint} request body; send a new key for new data`,
      );
    }
    return row.response as IngestSummary;
  }

  private async resolve(role: Role, result: ParseResult): Promise<WriteSet> {
    const hosts = new Map<string, HostRef>();
    const addHost = (h: HostRef) => {
      const seen = hosts.get(h.hostname);
      // The fullest description wins (a batch-level host with labels over a bare hostname).
      if (!seen || (!seen.labels && h.labels) || (!seen.metadata && h.metadata)) hosts.set(h.hostname, h);
    };
    for (const r of result.metrics) addHost(r.host);
    for (const h of result.columns?.hosts ?? []) addHost(h);
    for (const r of result.logs) addHost(r.host);
    for (const r of result.series) if (r.host) addHost(r.host);
    if (hosts.size === 0 && result.series.length === 0)
      return { metrics: emptyBlock(), samples: [], logs: [] };

    // Usually every id and partition is cached: then no transaction is opened at all. The write
    // itself still runs under the caller's role, so a cache hit grants nothing.
    try {
      return await this.build(CACHE_ONLY, hosts, result);
    } catch (e) {
      if (!(e instanceof CacheMiss)) throw e;
    }
    return withRole(this.pool, role, (client) => this.build(client, hosts, result));
  }

  private async build(
    client: Queryable,
    hosts: Map<string, HostRef>,
    result: ParseResult,
  ): Promise<WriteSet> {
    const ids = await this.registry.serverIds(client, hosts.values());
    const idOf = (h: HostRef) => ids.get(h.hostname) as number;
    const seriesIds = await this.registry.seriesIds(
      client,
      result.series.map((s) => ({
        serverId: s.host ? idOf(s.host) : null,
        name: s.name,
        labels: s.labels,
      })),
    );
    const rowTimes = [result.metrics, result.logs, result.series].flatMap((rows) => rows.map((r) => r.tsUs));
    await this.registry.ensureDays(client, rowTimes);
    if (result.columns) await this.registry.ensureDays(client, result.columns.tsUs);
    return {
      metrics: metricBlock(result, idOf),
      samples: result.series.map((s, i) => ({
        seriesId: seriesIds[i] as number,
        tsUs: s.tsUs,
        value: s.value,
      })),
      logs: result.logs.map((l) => ({
        serverId: idOf(l.host),
        tsUs: l.tsUs,
        severity: l.severity,
        source: l.source,
        message: l.message,
        context: l.context,
      })),
    };
  }
}
