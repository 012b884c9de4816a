// Incident actions by people (API, CLI). Each runs in one transaction given by the caller:
// through the API that is request.runAs, i.e. the caller's database role, so PostgreSQL decides
// who may acknowledge, resolve or annotate (readonly gets 42501 → 403). The state change and its
// timeline row commit together or not at all.
import type { AppError } from '../core/errors.ts';
import { notFound, validationError } from '../core/errors.ts';
import type { PoolClient } from '../db/pool.ts';
import {
  acknowledgeIncident,
  defaultPolicyId,
  findUserId,
  getIncident,
  getPolicy,
  insertManualIncident,
  insertLogs,
  lockIncident,
  type NewLog,
  reopenIncident,
  resolveIncident,
  updateIncident,
  userExists,
} from './queries.ts';
import { illegalTransition, type Transition } from './state-machine.ts';
import type { Actor, IncidentRow, LogAction, Severity } from './types.ts';

/** Runs fn in one transaction (request.runAs, or withTransaction as the owner). */
export type Runner = <T>(fn: (c: PoolClient) => Promise<T>) => Promise<T>;

export interface CreateInput {
  title: string;
  summary?: string;
  severity: Severity;
  region?: string | null;
  assignee?: string | null;
  /** A policy name; omitted = the default policy; null = no escalation. */
  escalation_policy?: string | null;
}

export interface UpdateInput {
  title?: string;
  summary?: string;
  severity?: Severity;
  assignee?: string | null;
  escalation_policy?: string | null;
}

async function assigneeId(c: PoolClient, username: string | null | undefined): Promise<number | null> {
  if (username === null || username === undefined) return null;
  const id = await findUserId(c, username);
  if (id === null || !(await userExists(c, id))) {
    throw validationError(`assignee "${username}" is not an active user`, { field: 'assignee' });
  }
  return id;
}

async function policyId(c: PoolClient, name: string | null | undefined): Promise<number | null> {
  if (name === undefined) return defaultPolicyId(c);
  if (name === null) return null;
  const p = await getPolicy(c, { name });
  if (!p) throw validationError(`no escalation policy named "${name}"`, { field: 'escalation_policy' });
  return p.id;
}

const log = (incidentId: number, ts: Date, actor: Actor, action: LogAction, details = {}): NewLog => ({
  incidentId,
  ts,
  actor,
  action,
  details,
});

export async function createIncident(
  c: PoolClient,
  input: CreateInput,
  actor: Actor,
  now: Date,
): Promise<IncidentRow> {
  const incident = await insertManualIncident(c, {
    title: input.title,
    summary: input.summary ?? '',
    severity: input.severity,
    region: input.region ?? null,
    assigneeId: await assigneeId(c, input.assignee),
    createdBy: actor,
    createdAt: now,
    policyId: await policyId(c, input.escalation_policy),
  });
  const logs = [
    log(incident.id, now, actor, 'created', {
      source: 'manual',
      severity: incident.severity,
      escalation_policy_id: incident.escalation_policy_id,
    }),
  ];
  if (incident.assignee_id !== null) {
    logs.push(
      log(incident.id, now, actor, 'assigned', { to: incident.assignee, to_user_id: incident.assignee_id }),
    );
  }
  await insertLogs(c, logs);
  return incident;
}

/** Why a conditional transition changed nothing: 404, or 409 naming the current state. */
async function refusal(c: PoolClient, id: number, t: Transition): Promise<AppError> {
  const current = await getIncident(c, id);
  if (!current) return notFound(`incident ${id}`);
  return illegalTransition(id, t, {
    status: current.status,
    acknowledged_at: current.acknowledged_at,
    acknowledged_by: current.acknowledged_by_name,
    resolved_at: current.resolved_at,
  });
}

export async function transition(
  c: PoolClient,
  id: number,
  t: Transition,
  actor: Actor,
  now: Date,
  note?: string,
): Promise<IncidentRow> {
  const row =
    t === 'acknowledge'
      ? await acknowledgeIncident(c, id, actor, now)
      : t === 'resolve'
        ? await resolveIncident(c, id, actor, now)
        : await reopenIncident(c, id, now);
  if (!row) throw await refusal(c, id, t);
  const action: LogAction = t === 'acknowledge' ? 'acknowledged' : t === 'resolve' ? 'resolved' : 'reopened';
  await insertLogs(c, [log(id, now, actor, action, note ? { note } : {})]);
  return row;
}

export async function editIncident(
  c: PoolClient,
  id: number,
  input: UpdateInput,
  actor: Actor,
  now: Date,
): Promise<IncidentRow> {
  const before = await lockIncident(c, id);
  if (!before) throw notFound(`incident ${id}`);
  const changes: Parameters<typeof updateIncident>[2] = {};
  const logs: NewLog[] = [];
  const edited: Record<string, { from: unknown; to: unknown }> = {};
  if (input.title !== undefined && input.title !== before.title) {
    changes.title = input.title;
    edited.title = { from: before.title, to: input.title };
  }
  if (input.summary !== undefined && input.summary !== before.summary) {
    changes.summary = input.summary;
    edited.summary = { from: before.summary, to: input.summary };
  }
  if (input.escalation_policy !== undefined) {
    const pid = input.escalation_policy === null ? null : await policyId(c, input.escalation_policy);
    if (pid !== before.escalation_policy_id) {
      changes.policyId = pid;
      edited.escalation_policy = { from: before.escalation_policy_id, to: input.escalation_policy };
    }
  }
  if (Object.keys(edited).length > 0) logs.push(log(id, now, actor, 'updated', edited));
  if (input.severity !== undefined && input.severity !== before.severity) {
    changes.severity = input.severity;
    logs.push(log(id, now, actor, 'severity_changed', { from: before.severity, to: input.severity }));
  }
  if (input.assignee !== undefined) {
    const to = await assigneeId(c, input.assignee);
    if (to !== before.assignee_id) {
      changes.assigneeId = to;
      logs.push(
        log(id, now, actor, 'assigned', {
          from_user_id: before.assignee_id,
          to: input.assignee,
          to_user_id: to,
        }),
      );
    }
  }
  const row = await updateIncident(c, id, changes, now);
  if (!row) throw notFound(`incident ${id}`);
  await insertLogs(c, logs);
  return row;
}

/** A note or a runbook step: timeline entries that do not change the incident itself. */
export async function annotate(
  c: PoolClient,
  id: number,
  action: 'note_added' | 'runbook_step_done',
  details: Record<string, unknown>,
  actor: Actor,
  now: Date,
): Promise<number> {
  if (!(await getIncident(c, id))) throw notFound(`incident ${id}`);
  const [logId] = await insertLogs(c, [log(id, now, actor, action, details)]);
  return logId as number;
}
