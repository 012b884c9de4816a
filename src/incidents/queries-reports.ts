// SQL for postmortems and the incident report (MTTA, MTTR, counts per severity, region, week).
// Re-exported by queries.ts, the module's one SQL entry point.
import type { Queryable } from '../db/pool.ts';
import type { ActionItem, Actor, PostmortemRow } from './types.ts';

export async function getPostmortem(db: Queryable, incidentId: number): Promise<PostmortemRow | null> {
  const { rows } = await db.query<PostmortemRow>(
    `SELECT incident_id, summary, impact, root_cause, action_items, created_by, updated_by, created_at, updated_at
       FROM vigil.incident_postmortems WHERE incident_id = $1`,
    [incidentId],
  );
  return rows[0] ?? null;
}

export interface PostmortemInput {
  summary: string;
  impact: string;
  root_cause: string;
  action_items: ActionItem[];
}

/**
 * Writes the postmortem of a resolved incident; null when the incident is not resolved (the
 * INSERT … SELECT finds no row), so the check and the write cannot race a reopen.
 */
export async function upsertPostmortem(
  db: Queryable,
  incidentId: number,
  p: PostmortemInput,
  actor: Actor,
  now: Date,
): Promise<{ row: PostmortemRow; created: boolean } | null> {
  const { rows } = await db.query<PostmortemRow & { created: boolean }>(
    `INSERT INTO vigil.incident_postmortems AS pm (incident_id, summary, impact, root_cause, action_items,
                                                   created_by, updated_by, created_at, updated_at)
     SELECT i.id, $2, $3, $4, $5::jsonb, $6, $6, $7, $7
       FROM vigil.incidents i WHERE i.id = $1 AND i.status = 'resolved'
        FOR SHARE OF i
     ON CONFLICT (incident_id) DO UPDATE SET summary = EXCLUDED.summary, impact = EXCLUDED.impact,
       root_cause = EXCLUDED.root_cause, action_items = EXCLUDED.action_items,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING pm.incident_id, pm.summary, pm.impact, pm.root_cause, pm.action_items, pm.created_by,
               pm.updated_by, pm.created_at, pm.updated_at, (pm.xmax = 0) AS created`,
    [incidentId, p.summary, p.impact, p.root_cause, JSON.stringify(p.action_items), actor, now],
  );
  const r = rows[0];
  if (!r) return null;
  const { created, ...row } = r;
  return { row, created };
}

export interface ReportBucket {
  incidents: number;
  acknowledged: number;
  resolved: number;
  open: number;
  mtta_seconds: number | null;
  mtta_p50_seconds: number | null;
  mttr_seconds: number | null;
  mttr_p50_seconds: number | null;
}

export interface ReportRow extends ReportBucket {
  dimension: 'total' | 'severity' | 'region' | 'week';
  key: string | null;
}

/**
 * One pass over the incidents created in [from, to), grouped four ways with GROUPING SETS.
 * Time to acknowledge / resolve run from created_at to the current acknowledgement / resolution;
 * for a reopened incident that is its final one. Weeks start on Monday, in UTC.
 */
export async function incidentReportRows(db: Queryable, from: Date, to: Date): Promise<ReportRow[]> {
  const { rows } = await db.query<ReportRow>(
    `WITH s AS (
       SELECT severity, coalesce(region, '(none)') AS region,
              to_char(date_trunc('week', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
              status, extract(epoch FROM acknowledged_at - created_at)::float8 AS tta,
              extract(epoch FROM resolved_at - created_at)::float8 AS ttr
         FROM vigil.incidents WHERE created_at >= $1 AND created_at < $2)
     SELECT CASE WHEN GROUPING(severity) = 0 THEN 'severity' WHEN GROUPING(region) = 0 THEN 'region'
                 WHEN GROUPING(week) = 0 THEN 'week' ELSE 'total' END AS dimension,
            coalesce(severity, region, week) AS key,
            count(*)::int AS incidents,
            count(tta)::int AS acknowledged,
            count(ttr)::int AS resolved,
            count(*) FILTER (WHERE status <> 'resolved')::int AS open,
            avg(tta) AS mtta_seconds,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY tta) AS mtta_p50_seconds,
            avg(ttr) AS mttr_seconds,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ttr) AS mttr_p50_seconds
       FROM s
      GROUP BY GROUPING SETS ((), (severity), (region), (week))
      ORDER BY 1, 2`,
    [from, to],
  );
  return rows;
}
