// SQL for opening incidents from alerts, for escalation policies, and for the escalation job.
// Re-exported by queries.ts, the module's one SQL entry point.
import type { Queryable } from '../db/pool.ts';
import type { PolicyRow, PolicyStep, Severity } from './types.ts';

export interface AlertForGrouping {
  id: number;
  rule_id: number;
  rule_name: string;
  server_id: number;
  hostname: string;
  region: string;
  severity: Severity;
  state: 'pending' | 'firing' | 'resolved';
  fired_at: Date | null;
  resolved_at: Date | null;
  incident_id: number | null;
  runbook_url: string | null;
}

/** The alert, locked so a duplicate 'alert.changed' (or the sweep) cannot link it twice. */
export async function lockAlert(db: Queryable, alertId: number): Promise<AlertForGrouping | null> {
  const { rows } = await db.query<AlertForGrouping>(
    `SELECT h.id, h.rule_id, r.name AS rule_name, h.server_id, s.hostname, s.region, h.severity, h.state,
            h.fired_at, h.resolved_at, h.incident_id, r.runbook_url
       FROM vigil.alerts_history h
       JOIN vigil.alerts_configuration r ON r.id = h.rule_id
       JOIN vigil.servers s ON s.id = h.server_id
      WHERE h.id = $1 FOR UPDATE OF h`,
    [alertId],
  );
  return rows[0] ?? null;
}

/**
 * Serializes grouping per (region, severity) across processes for the rest of the transaction,
 * so two alerts firing at once cannot both open a new incident for the same group.
 */
export async function lockGroup(db: Queryable, region: string, severity: Severity): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
    `vigil.incident-group:${region}:${severity}`,
  ]);
}

/** The newest open incident of the group opened at or after `since`. */
export async function findGroupIncident(
  db: Queryable,
  region: string,
  severity: Severity,
  since: Date,
): Promise<{ id: number; status: string } | null> {
  const { rows } = await db.query<{ id: number; status: string }>(
    `SELECT id, status FROM vigil.incidents
      WHERE status <> 'resolved' AND region = $1 AND severity = $2 AND created_at >= $3
      ORDER BY created_at DESC LIMIT 1`,
    [region, severity, since],
  );
  return rows[0] ?? null;
}

export async function linkAlert(db: Queryable, alertId: number, incidentId: number): Promise<void> {
  await db.query('UPDATE vigil.alerts_history SET incident_id = $2 WHERE id = $1', [alertId, incidentId]);
}

/** Firing alerts no incident has picked up (an 'alert.changed' event lost in a restart). */
export async function unlinkedFiringAlerts(
  db: Queryable,
  severities: readonly string[],
  limit: number,
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM vigil.alerts_history
      WHERE state = 'firing' AND incident_id IS NULL AND severity = ANY ($1::text[])
      ORDER BY fired_at LIMIT $2`,
    [severities, limit],
  );
  return rows.map((r) => r.id);
}

export async function openAlertCount(db: Queryable, incidentId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM vigil.alerts_history WHERE incident_id = $1 AND state <> 'resolved'`,
    [incidentId],
  );
  return rows[0]?.n ?? 0;
}

// ---- escalation policies ----

const POLICY_SELECT = `
  SELECT p.id, p.name, p.description, p.repeat_count, p.stop_on_ack, p.is_default, p.created_at, p.updated_at,
         coalesce((SELECT jsonb_agg(jsonb_build_object('notify_user_id', s.notify_user_id,
                                                       'notify_user', (SELECT u.username FROM vigil.users u
                                                                        WHERE u.id = s.notify_user_id),
                                                       'channels', s.channels,
                                                       'wait_minutes', s.wait_minutes) ORDER BY s.position)
                     FROM vigil.escalation_policy_steps s WHERE s.policy_id = p.id), '[]') AS steps
    FROM vigil.escalation_policies p`;

export async function listPolicies(db: Queryable): Promise<PolicyRow[]> {
  const { rows } = await db.query<PolicyRow>(`${POLICY_SELECT} ORDER BY p.name`);
  return rows;
}

export async function getPolicy(
  db: Queryable,
  by: { id: number } | { name: string },
): Promise<PolicyRow | null> {
  const { rows } =
    'id' in by
      ? await db.query<PolicyRow>(`${POLICY_SELECT} WHERE p.id = $1`, [by.id])
      : await db.query<PolicyRow>(`${POLICY_SELECT} WHERE p.name = $1`, [by.name]);
  return rows[0] ?? null;
}

export async function defaultPolicyId(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    'SELECT id FROM vigil.escalation_policies WHERE is_default',
  );
  return rows[0]?.id ?? null;
}

export interface PolicyInput {
  name: string;
  description: string;
  repeat_count: number;
  stop_on_ack: boolean;
  is_default: boolean;
  steps: PolicyStep[];
}

/** Creates or replaces a policy and its steps; returns its id and whether it was created. */
export async function upsertPolicy(
  db: Queryable,
  p: PolicyInput,
  now: Date,
): Promise<{ id: number; created: boolean }> {
  // Only one default: taking the flag moves it here (the partial unique index backs this up).
  if (p.is_default) {
    await db.query(
      'UPDATE vigil.escalation_policies SET is_default = false WHERE is_default AND name <> $1',
      [p.name],
    );
  }
  const { rows } = await db.query<{ id: number; created: boolean }>(
    `INSERT INTO vigil.escalation_policies (name, description, repeat_count, stop_on_ack, is_default,
                                            created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, repeat_count = EXCLUDED.repeat_count,
       stop_on_ack = EXCLUDED.stop_on_ack, is_default = EXCLUDED.is_default, updated_at = EXCLUDED.updated_at
     RETURNING id, (xmax = 0) AS created`,
    [p.name, p.description, p.repeat_count, p.stop_on_ack, p.is_default, now],
  );
  const row = rows[0] as { id: number; created: boolean };
  await db.query('DELETE FROM vigil.escalation_policy_steps WHERE policy_id = $1', [row.id]);
  await db.query(
    `INSERT INTO vigil.escalation_policy_steps (policy_id, position, notify_user_id, channels, wait_minutes)
     SELECT $1, s.ord - 1, s.user_id, ARRAY(SELECT jsonb_array_elements_text(s.channels)), s.wait
       FROM unnest($2::bigint[], $3::jsonb[], $4::int[]) WITH ORDINALITY AS s (user_id, channels, wait, ord)`,
    [
      row.id,
      p.steps.map((s) => s.notify_user_id),
      p.steps.map((s) => JSON.stringify(s.channels)),
      p.steps.map((s) => s.wait_minutes),
    ],
  );
  return row;
}

export async function deletePolicy(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vigil.escalation_policies WHERE name = $1', [name]);
  return (rowCount ?? 0) > 0;
}

// ---- the escalation job (runs as the owner) ----

export interface DueIncident {
  id: number;
  title: string;
  severity: Severity;
  status: string;
  region: string | null;
  escalation_policy_id: number | null;
  escalation_step: number | null;
  escalation_repeats_done: number;
}

/**
 * Incidents whose escalation is due, locked for this transaction. SKIP LOCKED lets two Vigil
 * processes run the job at once without waiting for or double-escalating each other's rows.
 */
export async function claimDueIncidents(db: Queryable, now: Date, limit: number): Promise<DueIncident[]> {
  const { rows } = await db.query<DueIncident>(
    `SELECT id, title, severity, status, region, escalation_policy_id, escalation_step, escalation_repeats_done
       FROM vigil.incidents
      WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= $1
      ORDER BY next_escalation_at LIMIT $2
        FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

export async function setEscalationState(
  db: Queryable,
  id: number,
  s: { step: number | null; repeatsDone: number; nextAt: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE vigil.incidents SET escalation_step = $2, escalation_repeats_done = $3, next_escalation_at = $4
      WHERE id = $1`,
    [id, s.step, s.repeatsDone, s.nextAt],
  );
}

export async function userContacts(
  db: Queryable,
  ids: number[],
): Promise<Map<number, { username: string; has_email: boolean; disabled: boolean }>> {
  // Whether a user can be paged, not where: escalation never handles the address itself.
  const { rows } = await db.query<{ id: number; username: string; has_email: boolean; disabled: boolean }>(
    `SELECT id, username, email IS NOT NULL AS has_email, disabled_at IS NOT NULL AS disabled
       FROM vigil.users WHERE id = ANY ($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}
