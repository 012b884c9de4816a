// Opens incidents from firing alerts. A firing alert joins the open incident of the same region
// and severity opened within incidents.group_window before it fired; otherwise it opens a new
// one with the default escalation policy. The whole decision runs in one transaction holding the
// alert row lock and an advisory lock per (region, severity), so duplicate events, the sweep job
// and other Vigil processes cannot link an alert twice or open two incidents for one group.
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import {
  defaultPolicyId,
  findGroupIncident,
  insertIncident,
  insertLogs,
  linkAlert,
  lockAlert,
  lockGroup,
  openAlertCount,
  resolveIncident,
} from './queries.ts';
import type { IncidentRow } from './types.ts';

export interface GroupingOptions {
  autoOpen: boolean;
  severities: readonly string[];
  windowMs: number;
  autoResolve: boolean;
}

export type AlertOutcome =
  | { kind: 'opened' | 'resolved'; incident: IncidentRow }
  | { kind: 'joined'; incident: { id: number; status: string } }
  | { kind: 'ignored'; reason: string };

export async function handleAlert(
  pool: Pool,
  alertId: number,
  now: Date,
  o: GroupingOptions,
): Promise<AlertOutcome> {
  return withTransaction(pool, async (c) => {
    const alert = await lockAlert(c, alertId);
    if (!alert) return { kind: 'ignored', reason: 'no such alert' };
    if (alert.state === 'resolved') {
      if (!o.autoResolve || alert.incident_id === null) return { kind: 'ignored', reason: 'resolved alert' };
      // Only when the last open alert of the incident resolved; people may still resolve earlier.
      if ((await openAlertCount(c, alert.incident_id)) > 0)
        return { kind: 'ignored', reason: 'alerts still open' };
      const resolved = await resolveIncident(c, alert.incident_id, null, now);
      if (!resolved) return { kind: 'ignored', reason: 'incident not open' };
      await insertLogs(c, [
        {
          incidentId: resolved.id,
          ts: now,
          actor: null,
          action: 'resolved',
          details: { reason: 'all linked alerts resolved', last_alert_id: alert.id },
        },
      ]);
      return { kind: 'resolved', incident: resolved };
    }
    if (alert.state !== 'firing') return { kind: 'ignored', reason: `alert is ${alert.state}` };
    if (alert.incident_id !== null) return { kind: 'ignored', reason: 'already linked' };
    if (!o.autoOpen) return { kind: 'ignored', reason: 'incidents.auto_open is off' };
    if (!o.severities.includes(alert.severity)) {
      return {
        kind: 'ignored',
        reason: `severity ${alert.severity} is not in incidents.auto_open_severities`,
      };
    }
    await lockGroup(c, alert.region, alert.severity);
    const firedAt = alert.fired_at ?? now;
    const join =
      o.windowMs > 0
        ? await findGroupIncident(c, alert.region, alert.severity, new Date(firedAt.getTime() - o.windowMs))
        : null;
    const linked = {
      alert_id: alert.id,
      rule_id: alert.rule_id,
      rule: alert.rule_name,
      server_id: alert.server_id,
      hostname: alert.hostname,
      runbook_url: alert.runbook_url,
    };
    if (join !== null) {
      await linkAlert(c, alert.id, join.id);
      await insertLogs(c, [
        { incidentId: join.id, ts: now, actor: null, action: 'alert_linked', details: linked },
      ]);
      return { kind: 'joined', incident: join };
    }
    const incident = await insertIncident(c, {
      title: `${alert.rule_name} on ${alert.hostname}`.slice(0, 300),
      summary: '',
      severity: alert.severity,
      region: alert.region,
      source: 'alert',
      assigneeId: null,
      createdBy: null,
      createdAt: now,
      policyId: await defaultPolicyId(c),
    });
    await linkAlert(c, alert.id, incident.id);
    await insertLogs(c, [
      {
        incidentId: incident.id,
        ts: now,
        actor: null,
        action: 'created',
        details: { source: 'alert', alert_id: alert.id, escalation_policy_id: incident.escalation_policy_id },
      },
      { incidentId: incident.id, ts: now, actor: null, action: 'alert_linked', details: linked },
    ]);
    return { kind: 'opened', incident };
  });
}
