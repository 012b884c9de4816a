// Every SQL statement of the incidents module. Functions take a Queryable: the API passes the
// client of a transaction running as the caller's role (PostgreSQL enforces who may do what),
// the alert grouping and escalation job pass one running as the owner.
import type { Queryable } from '../db/pool.ts';
import type {
  Actor,
  IncidentRow,
  IncidentStatus,
  LinkedAlertRow,
  LogAction,
  LogRow,
  Severity,
} from './types.ts';

// Names come from vigil.users columns that every role may read (id, username).
const INCIDENT_SELECT = `
  SELECT i.id, i.title, i.summary, i.status, i.severity, i.region, i.source, i.assignee_id,
         au.username AS assignee, i.created_by, i.created_at, i.acknowledged_at, i.acknowledged_by,
         ku.username AS acknowledged_by_name, i.resolved_at, i.resolved_by, i.escalation_policy_id,
         i.escalation_step, i.escalation_repeats_done, i.next_escalation_at,
         (SELECT count(*) FROM vigil.alerts_history h WHERE h.incident_id = i.id)::int AS alert_count
    FROM %SOURCE% i
    LEFT JOIN vigil.users au ON au.id = i.assignee_id
    LEFT JOIN vigil.users ku ON ku.id = i.acknowledged_by`;
const selectFrom = (source: string) => INCIDENT_SELECT.replace('%SOURCE%', source);

export interface NewIncident {
  title: string;
  summary: string;
  severity: Severity;
  region: string | null;
  source: 'manual' | 'alert';
  assigneeId: number | null;
  createdBy: Actor;
  createdAt: Date;
  policyId: number | null;
}

/** As the owner (alert grouping): every column as given. */
export async function insertIncident(db: Queryable, n: NewIncident): Promise<IncidentRow> {
  // A policy starts escalating at once: the job notifies its first step (next_escalation_at = now).
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       INSERT INTO vigil.incidents (title, summary, severity, region, source, assignee_id, created_by,
                                    created_at, escalation_policy_id, next_escalation_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9::bigint IS NOT NULL THEN $8::timestamptz END)
       RETURNING *)
     ${selectFrom('i')}`,
    [n.title, n.summary, n.severity, n.region, n.source, n.assigneeId, n.createdBy, n.createdAt, n.policyId],
  );
  return rows[0] as IncidentRow;
}

/**
 * As the caller (POST /incidents): devops may insert only the columns a person chooses (0054).
 * Who opened it and when come from the request, handed to the trigger as transaction-local
 * settings; source is always 'manual' (the column default). Naming created_by, created_at or
 * source here would be refused with 42501.
 */
export async function insertManualIncident(
  db: Queryable,
  n: Omit<NewIncident, 'source'>,
): Promise<IncidentRow> {
  await db.query(
    `SELECT set_config('vigil.incident_created_by', $1, true), set_config('vigil.incident_created_at', $2, true)`,
    [n.createdBy === null ? '' : String(n.createdBy), n.createdAt.toISOString()],
  );
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       INSERT INTO vigil.incidents (title, summary, severity, region, assignee_id, escalation_policy_id,
                                    next_escalation_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::bigint IS NOT NULL THEN $7::timestamptz END)
       RETURNING *)
     ${selectFrom('i')}`,
    [n.title, n.summary, n.severity, n.region, n.assigneeId, n.policyId, n.createdAt],
  );
  return rows[0] as IncidentRow;
}

export async function getIncident(db: Queryable, id: number): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(`${selectFrom('vigil.incidents')} WHERE i.id = $1`, [id]);
  return rows[0] ?? null;
}

export interface IncidentFilter {
  statuses: IncidentStatus[] | null;
  severity: Severity | null;
  region: string | null;
  beforeId: number | null;
  limit: number;
}

/** Newest first; page with beforeId (the smallest id of the previous page). */
export async function listIncidents(db: Queryable, f: IncidentFilter): Promise<IncidentRow[]> {
  const { rows } = await db.query<IncidentRow>(
    `${selectFrom('vigil.incidents')}
      WHERE ($1::text[] IS NULL OR i.status = ANY ($1)) AND ($2::text IS NULL OR i.severity = $2)
        AND ($3::text IS NULL OR i.region = $3) AND ($4::bigint IS NULL OR i.id < $4)
      ORDER BY i.id DESC LIMIT $5`,
    [f.statuses, f.severity, f.region, f.beforeId, f.limit],
  );
  return rows;
}

/**
 * The conditional UPDATEs of the state machine. Each changes the row only when its current
 * status allows the transition; under concurrency the second caller waits for the first to
 * commit, re-checks the WHERE and changes nothing, so exactly one wins. null = not changed.
 */
export async function acknowledgeIncident(
  db: Queryable,
  id: number,
  actor: Actor,
  now: Date,
): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       UPDATE vigil.incidents i SET status = 'acknowledged', acknowledged_at = $3, acknowledged_by = $2,
              next_escalation_at = CASE WHEN EXISTS (SELECT 1 FROM vigil.escalation_policies p
                                                      WHERE p.id = i.escalation_policy_id AND NOT p.stop_on_ack)
                                        THEN i.next_escalation_at END
        WHERE i.id = $1 AND i.status = 'triggered' RETURNING i.*)
     ${selectFrom('i')}`,
    [id, actor, now],
  );
  return rows[0] ?? null;
}

export async function resolveIncident(
  db: Queryable,
  id: number,
  actor: Actor,
  now: Date,
): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       UPDATE vigil.incidents SET status = 'resolved', resolved_at = $3, resolved_by = $2, next_escalation_at = NULL
        WHERE id = $1 AND status IN ('triggered', 'acknowledged') RETURNING *)
     ${selectFrom('i')}`,
    [id, actor, now],
  );
  return rows[0] ?? null;
}

/** Back to triggered: the acknowledgement is void and escalation starts over from the first step. */
export async function reopenIncident(db: Queryable, id: number, now: Date): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       UPDATE vigil.incidents SET status = 'triggered', resolved_at = NULL, resolved_by = NULL,
              acknowledged_at = NULL, acknowledged_by = NULL, escalation_step = NULL, escalation_repeats_done = 0,
              next_escalation_at = CASE WHEN escalation_policy_id IS NOT NULL THEN $2::timestamptz END
        WHERE id = $1 AND status = 'resolved' RETURNING *)
     ${selectFrom('i')}`,
    [id, now],
  );
  return rows[0] ?? null;
}

export interface IncidentChanges {
  title?: string;
  summary?: string;
  severity?: Severity;
  assigneeId?: number | null;
  /** A new policy restarts the escalation from its first step (when the incident is open). */
  policyId?: number | null;
}

export async function updateIncident(
  db: Queryable,
  id: number,
  c: IncidentChanges,
  now: Date,
): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `WITH i AS (
       UPDATE vigil.incidents SET
              title = CASE WHEN $2 THEN $3 ELSE title END,
              summary = CASE WHEN $4 THEN $5 ELSE summary END,
              severity = CASE WHEN $6 THEN $7 ELSE severity END,
              assignee_id = CASE WHEN $8 THEN $9::bigint ELSE assignee_id END,
              escalation_policy_id = CASE WHEN $10 THEN $11::bigint ELSE escalation_policy_id END,
              escalation_step = CASE WHEN $10 THEN NULL ELSE escalation_step END,
              escalation_repeats_done = CASE WHEN $10 THEN 0 ELSE escalation_repeats_done END,
              next_escalation_at = CASE WHEN NOT $10 THEN next_escalation_at
                                        WHEN $11::bigint IS NOT NULL AND status = 'triggered' THEN $12::timestamptz END
        WHERE id = $1 RETURNING *)
     ${selectFrom('i')}`,
    [
      id,
      c.title !== undefined,
      c.title ?? null,
      c.summary !== undefined,
      c.summary ?? null,
      c.severity !== undefined,
      c.severity ?? null,
      c.assigneeId !== undefined,
      c.assigneeId ?? null,
      c.policyId !== undefined,
      c.policyId ?? null,
      now,
    ],
  );
  return rows[0] ?? null;
}

export interface NewLog {
  incidentId: number;
  ts: Date;
  actor: Actor;
  action: LogAction;
  details: Record<string, unknown>;
}

/** Appends timeline rows in one statement; returns their ids in order. */
export async function insertLogs(db: Queryable, logs: NewLog[]): Promise<number[]> {
  if (logs.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO vigil.incident_response_logs (incident_id, ts, actor_user_id, action, details)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::jsonb[])
     RETURNING id`,
    [
      logs.map((l) => l.incidentId),
      logs.map((l) => l.ts),
      logs.map((l) => l.actor),
      logs.map((l) => l.action),
      logs.map((l) => JSON.stringify(l.details)),
    ],
  );
  return rows.map((r) => r.id);
}

export async function listLogs(db: Queryable, incidentId: number): Promise<LogRow[]> {
  const { rows } = await db.query<LogRow>(
    `SELECT l.id, l.incident_id, l.ts, l.actor_user_id, u.username AS actor, l.action, l.details
       FROM vigil.incident_response_logs l LEFT JOIN vigil.users u ON u.id = l.actor_user_id
      WHERE l.incident_id = $1 ORDER BY l.ts, l.id`,
    [incidentId],
  );
  return rows;
}

export async function linkedAlerts(db: Queryable, incidentId: number): Promise<LinkedAlertRow[]> {
  const { rows } = await db.query<LinkedAlertRow>(
    `SELECT h.id, h.rule_id, r.name AS rule_name, h.server_id, s.hostname, h.state, h.severity,
            h.started_at, h.fired_at, h.resolved_at, r.runbook_url
       FROM vigil.alerts_history h
       JOIN vigil.alerts_configuration r ON r.id = h.rule_id
       JOIN vigil.servers s ON s.id = h.server_id
      WHERE h.incident_id = $1 ORDER BY h.fired_at NULLS LAST, h.id`,
    [incidentId],
  );
  return rows;
}

export async function userExists(db: Queryable, userId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM vigil.users WHERE id = $1 AND disabled_at IS NULL', [
    userId,
  ]);
  return rows.length > 0;
}

export async function findUserId(db: Queryable, username: string): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM vigil.users WHERE username = $1', [
    username,
  ]);
  return rows[0]?.id ?? null;
}

export interface LockedIncident {
  id: number;
  title: string;
  summary: string;
  status: IncidentStatus;
  severity: Severity;
  assignee_id: number | null;
  escalation_policy_id: number | null;
}

/** The incident's editable fields, locked until commit so concurrent edits log true "from" values. */
export async function lockIncident(db: Queryable, id: number): Promise<LockedIncident | null> {
  const { rows } = await db.query<LockedIncident>(
    `SELECT id, title, summary, status, severity, assignee_id, escalation_policy_id
       FROM vigil.incidents WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

export * from './queries-escalation.ts';
export * from './queries-pages.ts';
export * from './queries-reports.ts';
