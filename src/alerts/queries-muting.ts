// SQL of silences and maintenance windows (what mutes notifications).
import type { Queryable } from '../db/pool.ts';
import type { Matcher } from './matchers.ts';

// --- silences and maintenance windows ------------------------------------------------------------

export interface SilenceRow {
  id: number;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: number | null;
  created_at: Date;
}

export async function insertSilence(
  db: Queryable,
  s: { matchers: Matcher[]; starts_at: Date; ends_at: Date; comment: string; created_by: number | null },
): Promise<SilenceRow> {
  const { rows } = await db.query<SilenceRow>(
    `INSERT INTO vigil.alert_silences (matchers, starts_at, ends_at, comment, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [JSON.stringify(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by],
  );
  return rows[0] as SilenceRow;
}

/** Silences not yet ended (active and future), or all when `all`. */
export async function listSilences(db: Queryable, now: Date, all: boolean): Promise<SilenceRow[]> {
  const { rows } = await db.query<SilenceRow>(
    `SELECT * FROM vigil.alert_silences WHERE $2 OR ends_at > $1 ORDER BY starts_at DESC LIMIT 1000`,
    [now, all],
  );
  return rows;
}

/** Ends a silence now (kept for the record). */
export async function expireSilence(db: Queryable, id: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vigil.alert_silences SET ends_at = greatest($2, starts_at + interval '1 millisecond')
      WHERE id = $1 AND ends_at > $2`,
    [id, now],
  );
  return (rowCount ?? 0) > 0;
}

export interface MaintenanceRow {
  id: number;
  name: string;
  cron: string;
  duration_seconds: number;
  timezone: string;
  scope_region: string | null;
  scope_server_ids: number[];
  scope_labels: Record<string, string>;
  active_from: Date | null;
  active_until: Date | null;
  enabled: boolean;
  comment: string;
  created_at: Date;
}

export async function insertMaintenance(
  db: Queryable,
  w: Omit<MaintenanceRow, 'id' | 'created_at'> & { created_by: number | null },
): Promise<MaintenanceRow> {
  const { rows } = await db.query<MaintenanceRow>(
    `INSERT INTO vigil.maintenance_windows (name, cron, duration_seconds, timezone, scope_region, scope_server_ids,
       scope_labels, active_from, active_until, enabled, comment, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
    [
      w.name,
      w.cron,
      w.duration_seconds,
      w.timezone,
      w.scope_region,
      w.scope_server_ids,
      JSON.stringify(w.scope_labels),
      w.active_from,
      w.active_until,
      w.enabled,
      w.comment,
      w.created_by,
    ],
  );
  return rows[0] as MaintenanceRow;
}

export async function listMaintenance(db: Queryable): Promise<MaintenanceRow[]> {
  const { rows } = await db.query<MaintenanceRow>('SELECT * FROM vigil.maintenance_windows ORDER BY name');
  return rows;
}

export async function deleteMaintenance(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vigil.maintenance_windows WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
