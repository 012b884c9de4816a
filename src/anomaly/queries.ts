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
  defaultSensitivity = 1,
): Promise<ServerSettings[]> {
  const { rows } = await db.query<{
    server_id: string;
    sensitivity: number;
    muted: boolean;
    scored_to: Date | null;
  }>(
    `SELECT s.id AS server_id,
            coalesce(a.sensitivity::float8, $3::float8) AS sensitivity,
            coalesce(a.muted OR a.muted_until > $2, false) AS muted,
            w.scored_to
       FROM vigil.servers s
       LEFT JOIN vigil.anomaly_settings a ON a.server_id = s.id
       LEFT JOIN vigil.anomaly_state w ON w.server_id = s.id
      WHERE s.id = ANY($1::bigint[])`,
    [serverIds, now, defaultSensitivity],
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

/**
 * Servers with samples newer than their watermark; a server never scored counts when it has
 * samples newer than `since` (the warmup horizon, where its first scoring would start).
 * One index probe of server_metrics (server_id, ts) per server.
 */
export async function serversBehind(db: Queryable, since: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id
       FROM vigil.servers s
       LEFT JOIN vigil.anomaly_state w ON w.server_id = s.id
      WHERE EXISTS (SELECT 1 FROM vigil.server_metrics m
                     WHERE m.server_id = s.id AND m.ts > coalesce(w.scored_to, $1))
      ORDER BY s.id`,
    [since],
  );
  return rows.map((r) => r.id);
}

export interface AnomalyOut {
  id: number;
  server_id: number;
  hostname: string;
  ts: Date;
  metrics: string[];
  score: number;
  method: string;
  explanation: string;
}

export interface AnomalyFilter {
  serverId: number | null;
  from: Date | null;
  to: Date | null;
  minScore: number | null;
  limit: number;
}

/** Anomalies, newest first (anomalies_ts_idx); from inclusive, to exclusive. */
export async function listAnomalies(db: Queryable, f: AnomalyFilter): Promise<AnomalyOut[]> {
  const { rows } = await db.query<AnomalyOut>(
    `SELECT a.id::int, a.server_id::int, s.hostname, a.ts, a.metrics, a.score, a.method, a.explanation
       FROM vigil.anomalies a
       JOIN vigil.servers s ON s.id = a.server_id
      WHERE ($1::bigint IS NULL OR a.server_id = $1)
        AND ($2::timestamptz IS NULL OR a.ts >= $2)
        AND ($3::timestamptz IS NULL OR a.ts < $3)
        AND ($4::float8 IS NULL OR a.score >= $4)
      ORDER BY a.ts DESC, a.id DESC
      LIMIT $5`,
    [f.serverId, f.from, f.to, f.minScore, f.limit],
  );
  return rows;
}

export interface SettingsOut {
  server_id: number;
  sensitivity: number;
  muted: boolean;
  muted_until: Date | null;
  /** false while the server has no settings row (the defaults apply). */
  customised: boolean;
  updated_at: Date | null;
}

/** A server's settings (the defaults when it has no row); null if there is no such server. */
export async function getSettings(
  db: Queryable,
  serverId: number,
  defaultSensitivity: number,
): Promise<SettingsOut | null> {
  const { rows } = await db.query<SettingsOut>(
    `SELECT s.id::int AS server_id, coalesce(a.sensitivity::float8, $2::float8) AS sensitivity,
            coalesce(a.muted, false) AS muted, a.muted_until, a.server_id IS NOT NULL AS customised,
            a.updated_at
       FROM vigil.servers s
       LEFT JOIN vigil.anomaly_settings a ON a.server_id = s.id
      WHERE s.id = $1`,
    [serverId, defaultSensitivity],
  );
  return rows[0] ?? null;
}

export interface SettingsChange {
  sensitivity?: number;
  muted?: boolean;
  muted_until?: Date | null;
}

/** Creates or updates a server's settings; fields left undefined keep their value. */
export async function putSettings(
  db: Queryable,
  serverId: number,
  change: SettingsChange,
  defaultSensitivity: number,
): Promise<void> {
  await db.query(
    `INSERT INTO vigil.anomaly_settings AS a (server_id, sensitivity, muted, muted_until)
     VALUES ($1, coalesce($2::real, $5::real), coalesce($3::boolean, false),
             CASE WHEN $4::boolean THEN $6::timestamptz END)
     ON CONFLICT (server_id) DO UPDATE
       SET sensitivity = coalesce($2::real, a.sensitivity),
           muted = coalesce($3::boolean, a.muted),
           muted_until = CASE WHEN $4::boolean THEN $6::timestamptz ELSE a.muted_until END,
           updated_at = now()`,
    [
      serverId,
      change.sensitivity ?? null,
      change.muted ?? null,
      change.muted_until !== undefined,
      defaultSensitivity,
      change.muted_until ?? null,
    ],
  );
}
