// Escalation: walks an unacknowledged incident through its policy's steps. All state is in the
// incident row (step notified last, repeats done, next_escalation_at), so a job in any Vigil
// process, before or after a restart, continues where the last one stopped. Due rows are
// claimed with FOR UPDATE SKIP LOCKED and advanced in the same transaction that appends the
// timeline rows: a step is taken exactly once even when two processes run the job together.
// The pages themselves are recorded in that transaction too (incident_page_requests), so one
// decided is never lost to a crash before it reaches the alerts module (see pages.ts).
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import {
  type DueIncident,
  claimDueIncidents,
  getPolicy,
  insertLogs,
  insertPageRequests,
  type NewLog,
  setEscalationState,
  userContacts,
} from './queries.ts';
import type { PageRequest } from './queries-pages.ts';
import type { PolicyRow } from './types.ts';

export type Notification = PageRequest;

export interface EscalationResult {
  /** Incidents whose escalation advanced (first step notified, escalated, or exhausted). */
  advanced: { incidentId: number; status: string }[];
  /** To emit as 'notification.requested' once committed. */
  notifications: Notification[];
}

interface Plan {
  step: number | null;
  repeatsDone: number;
  nextAt: Date | null;
  logs: Omit<NewLog, 'incidentId' | 'ts' | 'actor'>[];
  notify: boolean;
}

const MINUTE = 60_000;

/** Where an incident goes from its current step: the next step, the first again, or nowhere. */
export function planStep(inc: DueIncident, policy: PolicyRow | null, now: Date): Plan {
  const stop = { step: inc.escalation_step, repeatsDone: inc.escalation_repeats_done, nextAt: null };
  // Policy deleted, or changed to stop on acknowledgement after this one was acknowledged.
  if (!policy || policy.steps.length === 0) return { ...stop, logs: [], notify: false };
  if (inc.status !== 'triggered' && policy.stop_on_ack) return { ...stop, logs: [], notify: false };
  const at = (step: number) => new Date(now.getTime() + (policy.steps[step]?.wait_minutes ?? 1) * MINUTE);
  if (inc.escalation_step === null) {
    return { step: 0, repeatsDone: 0, nextAt: at(0), logs: [], notify: true };
  }
  const from = inc.escalation_step;
  const base = { policy: policy.name, from_step: from + 1, steps: policy.steps.length };
  if (from + 1 < policy.steps.length) {
    const to = from + 1;
    return {
      step: to,
      repeatsDone: inc.escalation_repeats_done,
      nextAt: at(to),
      logs: [
        { action: 'escalated', details: { ...base, to_step: to + 1, repeat: inc.escalation_repeats_done } },
      ],
      notify: true,
    };
  }
  if (inc.escalation_repeats_done < policy.repeat_count) {
    const repeat = inc.escalation_repeats_done + 1;
    return {
      step: 0,
      repeatsDone: repeat,
      nextAt: at(0),
      logs: [
        { action: 'escalated', details: { ...base, to_step: 1, repeat, repeat_count: policy.repeat_count } },
      ],
      notify: true,
    };
  }
  // Nobody acknowledged through every step and repeat: say so in the timeline, then stop.
  return {
    ...stop,
    logs: [{ action: 'escalated', details: { ...base, exhausted: true, repeat_count: policy.repeat_count } }],
    notify: false,
  };
}

/** Claims and advances every due escalation (in batches); returns what to announce after commit. */
export async function escalateDue(
  pool: Pool,
  now: Date,
  options: { baseUrl: string; batch?: number; resendAfterMs: number },
): Promise<EscalationResult> {
  const result: EscalationResult = { advanced: [], notifications: [] };
  const batch = options.batch ?? 100;
  for (;;) {
    const claimed = await withTransaction(pool, async (c) => {
      const due = await claimDueIncidents(c, now, batch);
      const policies = new Map<number, PolicyRow | null>();
      for (const inc of due) {
        const pid = inc.escalation_policy_id;
        if (pid !== null && !policies.has(pid)) policies.set(pid, await getPolicy(c, { id: pid }));
      }
      const userIds = [...policies.values()].flatMap((p) =>
        (p?.steps ?? []).flatMap((s) => (s.notify_user_id === null ? [] : [s.notify_user_id])),
      );
      const users = await userContacts(c, [...new Set(userIds)]);
      const notifications: Notification[] = [];
      for (const inc of due) {
        const policy =
          inc.escalation_policy_id === null ? null : (policies.get(inc.escalation_policy_id) ?? null);
        const plan = planStep(inc, policy, now);
        await setEscalationState(c, inc.id, plan);
        const logs: NewLog[] = plan.logs.map((l) => ({ ...l, incidentId: inc.id, ts: now, actor: null }));
        const pending: Omit<Notification, 'dedupKey'>[] = [];
        const step = plan.step === null ? undefined : policy?.steps[plan.step];
        if (plan.notify && step && policy && plan.step !== null) {
          const where = { policy: policy.name, step: plan.step + 1, repeat: plan.repeatsDone };
          const message = describe(inc, policy, plan.step, plan.repeatsDone, options.baseUrl);
          if (step.notify_user_id !== null) {
            const u = users.get(step.notify_user_id);
            const reason = !u
              ? 'user no longer exists'
              : u.disabled
                ? 'user is disabled'
                : !u.has_email
                  ? 'user has no e-mail address'
                  : null;
            const details = {
              ...where,
              target: 'user',
              user_id: step.notify_user_id,
              username: u?.username ?? null,
            };
            if (reason) logs.push(notified(inc.id, now, { ...details, delivered: false, reason }));
            else {
              // By user id, never by address: the page request and the alerts outbox are
              // readable by more roles than users.email is (admin only), and the timeline is
              // append-only, so PII written there could never be anonymized. The delivery worker
              // looks the address up when it sends (alerts/delivery.ts).
              logs.push(notified(inc.id, now, { ...details, via: 'email', delivered: true }));
              pending.push({ ...message, channel: `user:${step.notify_user_id}` });
            }
          }
          for (const channel of step.channels) {
            // A literal email:<address> is not written to the timeline: devops reads it, and it is
            // append-only, so an address there could never be anonymized (policies keep it).
            const shown = channel.startsWith('email:') ? 'email:<address hidden>' : channel;
            logs.push(
              notified(inc.id, now, { ...where, target: 'channel', channel: shown, delivered: true }),
            );
            pending.push({ ...message, channel });
          }
        }
        const ids = await insertLogs(c, logs);
        // The key is the id of the 'notified' row: unique per page, stable across delivery retries.
        const notifiedIds = ids.filter(
          (_, i) => logs[i]?.action === 'notified' && logs[i]?.details.delivered,
        );
        pending.forEach((n, i) =>
          notifications.push({ ...n, dedupKey: `incident-notify:${notifiedIds[i]}` }),
        );
        if (logs.length > 0) result.advanced.push({ incidentId: inc.id, status: inc.status });
      }
      await insertPageRequests(c, notifications, now, new Date(now.getTime() + options.resendAfterMs));
      result.notifications.push(...notifications);
      return due.length;
    });
    if (claimed < batch) return result;
  }
}

function notified(incidentId: number, ts: Date, details: Record<string, unknown>): NewLog {
  return { incidentId, ts, actor: null, action: 'notified', details };
}

function describe(
  inc: DueIncident,
  policy: PolicyRow,
  step: number,
  repeatsDone: number,
  baseUrl: string,
): Omit<Notification, 'dedupKey' | 'channel'> {
  const repeat = policy.repeat_count > 0 ? ` (round ${repeatsDone + 1} of ${policy.repeat_count + 1})` : '';
  return {
    incidentId: inc.id,
    severity: inc.severity,
    title: `[${inc.severity.toUpperCase()}] Incident #${inc.id}: ${inc.title}`,
    text: [
      `Incident #${inc.id} is ${inc.status}: ${inc.title}`,
      `Severity: ${inc.severity}${inc.region ? `, region: ${inc.region}` : ''}`,
      `Escalation policy ${policy.name}: step ${step + 1} of ${policy.steps.length}${repeat}`,
      `Acknowledge: curl -X POST -H "Authorization: Bearer $VIGIL_TOKEN" ${baseUrl}/api/v1/incidents/${inc.id}/acknowledge`,
    ].join('\n'),
  };
}
