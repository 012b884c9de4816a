// SQL of alert episodes as the API and CLI show them (list, one, acknowledge).
import type { Queryable } from '../db/pool.ts';
import type { AlertState, Severity } from './types.ts';

// --- alerts (episodes) for the API and CLI ------------------------------------------------------

export interface AlertRow {
  id: number;
  rule_id: number;
  rule: string;
  server_id: number;
  hostname: string;
  region: string;
  state: AlertState;
  reason: string;
  severity: Severity;
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  peak_value: number | null;
  last_value: number | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  muted_since: Date | null;
  incident_id: number | null;
  state_changes?: unknown[];
}

export interface AlertFilter {
  state?: AlertState | 'open';
  severity?: Severity;
  rule?: string;
  server?: string;
  region?: string;
  since?: Date;
  acknowledged?: boolean;
  limit: number;
  beforeId?: number;
}

const ALERT_SELECT = `SELECT h.id, h.rule_id, r.name AS rule, h.server_id, s.hostname, s.region, h.state, h.reason,
       h.severity, h.started_at, h.fired_at, h.resolved_at, h.peak_value, h.last_value,
       u.username AS acknowledged_by, h.acknowledged_at, h.muted_since, h.incident_id`;
const ALERT_FROM = `FROM vigil.alerts_history h
  JOIN vigil.alerts_configuration r ON r.id = h.rule_id
  JOIN vigil.servers s ON s.id = h.server_id
  LEFT JOIN vigil.users u ON u.id = h.acknowledged_by`;

/** Newest first; page with beforeId (the last id of the previous page). */
export async function listAlerts(db: Queryable, f: AlertFilter): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `${ALERT_SELECT} ${ALERT_FROM}
      WHERE ($1::text IS NULL OR ($1 = 'open' AND h.resolved_at IS NULL) OR h.state = $1)
        AND ($2::text IS NULL OR h.severity = $2) AND ($3::text IS NULL OR r.name = $3)
        AND ($4::text IS NULL OR s.hostname = $4) AND ($5::text IS NULL OR s.region = $5)
        AND ($6::timestamptz IS NULL OR h.started_at >= $6)
        AND ($7::boolean IS NULL OR (h.acknowledged_at IS NOT NULL) = $7)
        AND ($9::bigint IS NULL OR h.id < $9)
      ORDER BY h.id DESC LIMIT $8`,
    [
      f.state ?? null,
      f.severity ?? null,
      f.rule ?? null,
      f.server ?? null,
      f.region ?? null,
      f.since ?? null,
      f.acknowledged ?? null,
      f.limit,
      f.beforeId ?? null,
    ],
  );
  return rows;
}

export async function getAlert(db: Queryable, id: number): Promise<AlertRow | null> {
  const { rows } = await db.query<AlertRow>(
    `${ALERT_SELECT}, h.state_changes ${ALERT_FROM} WHERE h.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Acknowledges an alert (devops may write exactly these two columns). Returns false if absent. */
export async function acknowledgeAlert(
  db: Queryable,
  id: number,
  userId: number,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vigil.alerts_history SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1`,
    [id, userId, now],
  );
  return (rowCount ?? 0) > 0;
}
