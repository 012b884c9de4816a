// The ingest module's SQL. Every function takes a Queryable that already runs under the caller's
// role (request.runAs or the batch writer's SET LOCAL ROLE), so PostgreSQL judges privileges.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient, Queryable } from '../db/pool.ts';
import {
  COPY_HEADER,
  COPY_TRAILER,
  METRIC_ROW_MAX,
  ScratchBuffers,
  type WriteSample,
  encodeLogs,
  encodeMetrics,
  encodeSamples,
} from './copy-binary.ts';
import type { WriteLog } from './copy-binary.ts';
import type { MetricBlock } from './metric-block.ts';
import { isoDay, usToIso, utcDay } from './time.ts';
import type { HostRef } from './types.ts';

const METRIC_COLUMNS_SQL =
  'server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes, load_1, load_5, load_15';

/**
 * Registers hosts not seen before and refreshes the region/labels/metadata a source sent (a source
 * that sends none keeps what is stored). Hostnames must be distinct. Returns hostname → id.
 */
export async function upsertServers(db: Queryable, hosts: readonly HostRef[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; hostname: string }>(
    `INSERT INTO vigil.servers AS s (hostname, region, environment, labels, metadata)
     SELECT h, COALESCE(r, 'default'), COALESCE(e, 'production'), COALESCE(l, '{}'), COALESCE(m, '{}')
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[]) AS t(h, r, e, l, m)
     ON CONFLICT (hostname) DO UPDATE SET
       region = CASE WHEN EXCLUDED.region = 'default' THEN s.region ELSE EXCLUDED.region END,
       environment = CASE WHEN EXCLUDED.environment = 'production' THEN s.environment ELSE EXCLUDED.environment END,
       labels = CASE WHEN EXCLUDED.labels = '{}' THEN s.labels ELSE EXCLUDED.labels END,
       metadata = CASE WHEN EXCLUDED.metadata = '{}' THEN s.metadata ELSE EXCLUDED.metadata END
     RETURNING id, hostname`,
    [
      hosts.map((h) => h.hostname),
      hosts.map((h) => h.region ?? null),
      hosts.map((h) => h.environment ?? null),
      hosts.map((h) => (h.labels ? JSON.stringify(h.labels) : null)),
      hosts.map((h) => (h.metadata ? JSON.stringify(h.metadata) : null)),
    ],
  );
  return new Map(rows.map((r) => [r.hostname, r.id]));
}

export interface SeriesKey {
  serverId: number | null;
  name: string;
  labels: Record<string, string>;
}

/** Ids of series (server, name, labels), creating the missing ones; in the order given. */
export async function upsertSeries(db: Queryable, keys: readonly SeriesKey[]): Promise<number[]> {
  const params = [
    keys.map((k) => k.serverId),
    keys.map((k) => k.name),
    keys.map((k) => JSON.stringify(k.labels)),
  ];
  await db.query(
    `INSERT INTO vigil.metric_series (server_id, name, labels)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::jsonb[])
     ON CONFLICT DO NOTHING`,
    params,
  );
  const { rows } = await db.query<{ ord: number; id: number }>(
    `SELECT i.ord::int AS ord, s.id
       FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS i(server_id, name, labels, ord)
       JOIN vigil.metric_series s
         ON s.server_id IS NOT DISTINCT FROM i.server_id AND s.name = i.name AND s.labels = i.labels`,
    params,
  );
  const ids = new Array<number>(keys.length);
  for (const r of rows) ids[r.ord - 1] = r.id;
  return ids;
}

export async function ensurePartitions(db: Queryable, fromDay: string, toDay: string): Promise<void> {
  await db.query('SELECT vigil.ensure_partitions($1::date, $2::date)', [fromDay, toDay]);
}

/** last_seen_at of servers that just sent data (a bookkeeping write, throttled by the caller). */
export async function touchServers(db: Queryable, ids: readonly number[], at: Date): Promise<void> {
  await db.query(
    `UPDATE vigil.servers SET last_seen_at = $2
      WHERE id = ANY($1::bigint[]) AND (last_seen_at IS NULL OR last_seen_at < $2)`,
    [ids, at],
  );
}

async function copyBinary(client: PoolClient, sql: string, body: Buffer): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(
    (async function* () {
      yield COPY_HEADER;
      yield body;
      yield COPY_TRAILER;
    })(),
    stream as unknown as Writable,
  );
}

/** The day partition of server_metrics that holds a UTC day (named by ensure_day_partition). */
export function metricsPartition(dayUs: number): string {
  return `vigil.server_metrics_p${isoDay(utcDay(dayUs)).replaceAll('-', '')}`;
}

/**
 * The fast path: one COPY, by default into the partitioned table; `table` names one day's
 * partition instead (see migration 0035 for why that is faster and judged the same). Fails whole
 * on a duplicate key; into a partition that does not exist, with 42P01.
 */
export async function copyMetrics(
  client: PoolClient,
  rows: MetricBlock,
  table = 'vigil.server_metrics',
): Promise<void> {
  const scratch = encodeBuffers.take(rows.length * METRIC_ROW_MAX);
  await copyBinary(
    client,
    `COPY ${table} (${METRIC_COLUMNS_SQL}) FROM STDIN (FORMAT binary)`,
    encodeMetrics(rows, scratch),
  );
  // Only after success: a failed COPY may still have bytes of it queued on the socket.
  encodeBuffers.give(scratch);
}
/** Shared by every COPY of metrics in the process; each COPY holds its own buffer meanwhile. */
const encodeBuffers = new ScratchBuffers();

/** The merge path (retries, rows arriving in pieces): one call of vigil.merge_server_metrics. */
export async function mergeMetrics(db: Queryable, rows: MetricBlock): Promise<void> {
  // Parameters in the function's order: server_id, ts, then METRIC_COLUMNS.
  await db.query('SELECT vigil.merge_server_metrics($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    Array.from(rows.serverId),
    Array.from(rows.tsUs, usToIso),
    ...Array.from({ length: 8 }, (_, c) => rows.column(c)),
  ]);
}

export function copySamples(client: PoolClient, rows: readonly WriteSample[]): Promise<void> {
  return copyBinary(
    client,
    'COPY vigil.metric_samples (series_id, ts, value) FROM STDIN (FORMAT binary)',
    encodeSamples(rows),
  );
}

/** Samples already stored (a retry) are skipped: same series and time, same sample. */
export async function insertSamplesIgnoringDuplicates(
  db: Queryable,
  rows: readonly WriteSample[],
): Promise<void> {
  await db.query(
    `INSERT INTO vigil.metric_samples (series_id, ts, value)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::float8[])
     ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.seriesId), rows.map((r) => usToIso(r.tsUs)), rows.map((r) => r.value)],
  );
}

export function copyLogs(client: PoolClient, rows: readonly WriteLog[]): Promise<void> {
  return copyBinary(
    client,
    'COPY vigil.error_logs (server_id, ts, severity, source, message, context) FROM STDIN (FORMAT binary)',
    encodeLogs(rows),
  );
}

/** An Idempotency-Key as stored: scoped to the token and endpoint, with its body hash and answer. */
export interface IngestRequestRecord {
  tokenId: number;
  endpoint: string;
  key: string;
  bodySha256: Buffer;
  response: object;
}

/**
 * Records keys in the caller's transaction (the one that commits their rows). A key committed by
 * another transaction meanwhile fails this with 23505 on ingest_requests_pkey.
 */
export async function recordIngestRequests(
  db: Queryable,
  records: readonly IngestRequestRecord[],
): Promise<void> {
  await db.query('SELECT vigil.record_ingest_requests($1, $2, $3, $4, $5)', [
    records.map((r) => r.tokenId),
    records.map((r) => r.endpoint),
    records.map((r) => r.key),
    records.map((r) => r.bodySha256),
    records.map((r) => JSON.stringify(r.response)),
  ]);
}

export async function findIngestRequest(
  db: Queryable,
  tokenId: number,
  endpoint: string,
  key: string,
): Promise<{ bodySha256: Buffer; response: object } | null> {
  const { rows } = await db.query<{ body_sha256: Buffer; response: object }>(
    'SELECT body_sha256, response FROM vigil.find_ingest_request($1, $2, $3)',
    [tokenId, endpoint, key],
  );
  const row = rows[0];
  return row ? { bodySha256: row.body_sha256, response: row.response } : null;
}

/** The expiry job: keys committed before `before` (runs as admin). Returns how many went. */
export async function deleteIngestRequestsBefore(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM vigil.ingest_requests WHERE committed_at < $1', [before]);
  return rowCount ?? 0;
}
