// SQL of the anomaly runner. Every function takes a Queryable (pool or transaction client).
import type { Queryable } from '../db/pool.ts';
import { SERVER_METRICS, type ServerMetric } from './server-detector.ts';

export interface ServerSettings {
  serverId: string;
  sensitivity: number;
  muted: boolean;
  scoredTo: Date | null;
}

/** Settings and watermark of each server (defaults for servers without a settings row). */
export async function loadServerSettings(
  db: Queryable,
  serverIds: string[],
  now: Date,
): Promise<ServerSettings[]> {
  const { rows } = await db.query<{
    server_id: string;
    sensitivity: number;
    muted: boolean;
    scored_to: Date | null;
  }>(
    `SELECT s.id AS server_id,
            coalesce(a.sensitivity, 1)::float8 AS sensitivity,
            coalesce(a.muted OR a.muted_until > $2, false) AS muted,
            w.scored_to
       FROM vigil.servers s
       LEFT JOIN vigil.anomaly_settings a ON a.server_id = s.id
       LEFT JOIN vigil.anomaly_state w ON w.server_id = s.id
      WHERE s.id = ANY($1::bigint[])`,
    [serverIds, now],
  );
  return rows.map((r) => ({
    serverId: r.server_id,
    sensitivity: r.sensitivity,
    muted: r.muted,
    scoredTo: r.scored_to,
  }));
}

export interface SampleRow {
  ts: Date;
  /** SERVER_METRICS order; null = not measured. */
  values: (number | null)[];
}

const COLUMNS = SERVER_METRICS.map((m) => `${m}::float8 AS ${m}`).join(', ');

/** Samples of one server with from < ts <= to, oldest first, at most `limit`. */
export async function loadSamples(
  db: Queryable,
  serverId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<SampleRow[]> {
  const { rows } = await db.query<Record<ServerMetric, number | null> & { ts: Date }>(
    `SELECT ts, ${COLUMNS}
       FROM vigil.server_metrics
      WHERE server_id = $1 AND ts > $2 AND ts <= $3
      ORDER BY ts
      LIMIT $4`,
    [serverId, from, to, limit],
  );
  return rows.map((r) => ({ ts: r.ts, values: SERVER_METRICS.map((m) => r[m]) }));
}

export interface AnomalyRow {
  serverId: string;
  ts: Date;
  metrics: string[];
  score: number;
  method: 'combined';
  explanation: string;
}

/** Inserts anomaly rows in one statement; a re-scored sample is not duplicated. */
export async function insertAnomalies(db: Queryable, rows: AnomalyRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await db.query(
    `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method, explanation)
     SELECT a.server_id, a.ts, string_to_array(a.metrics, ','), a.score, a.method, a.explanation
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::float8[], $5::text[], $6::text[])
            AS a(server_id, ts, metrics, score, method, explanation)
     ON CONFLICT (server_id, ts, method) DO NOTHING`,
    [
      rows.map((r) => r.serverId),
      rows.map((r) => r.ts),
      rows.map((r) => r.metrics.join(',')),
      rows.map((r) => r.score),
      rows.map((r) => r.method),
      rows.map((r) => r.explanation.slice(0, 1000)),
    ],
  );
  return res.rowCount ?? 0;
}

/** Moves the scoring watermark forward (never back, so a slow duplicate runner cannot rewind it). */
export async function saveWatermark(db: Queryable, serverId: string, scoredTo: Date): Promise<void> {
  await db.query(
    `INSERT INTO vigil.anomaly_state (server_id, scored_to) VALUES ($1, $2)
     ON CONFLICT (server_id) DO UPDATE
       SET scored_to = greatest(vigil.anomaly_state.scored_to, excluded.scored_to), updated_at = now()`,
    [serverId, scoredTo],
  );
}
