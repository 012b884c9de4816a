// Turns alert episodes into queued notifications, Alertmanager style: alerts of one rule and
// region that fire or resolve within the group window go out together; firing, unacknowledged
// alerts repeat after repeat_interval; resolved alerts get a resolved notice when their firing
// was notified; muted alerts (silence, maintenance window) are held, and notified at once when
// nothing mutes them any more. Queueing and marking the episodes happen in one transaction, so a
// restart neither loses nor repeats a notice.
import type { Clock } from '../core/clock.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { MuteIndex } from './muting.ts';
import { listMaintenance, listSilences } from './queries-muting.ts';
import {
  type NotifyCandidate,
  type OutboxInsert,
  enqueue,
  listChannels,
  markNotified,
  notifyCandidates,
  tryNotifierLock,
} from './queries-notify.ts';
import type { NotificationPayload, NotifiedAlert, StateChange } from './types.ts';

export interface NotifierOptions {
  pool: Pool;
  clock: Clock;
  groupWindowMs: number;
  repeatMs: number;
}

export interface NotifierResult {
  queued: number;
  /** The earliest time a held group becomes due (wake up then), or null. */
  nextDueAt: Date | null;
}

/** Labels silences match against: built-ins win over the server's own labels. */
export function alertLabels(a: NotifyCandidate): Record<string, string> {
  return {
    ...a.labels,
    alertname: a.rule,
    rule_id: String(a.rule_id),
    severity: a.severity,
    hostname: a.hostname,
    region: a.region,
    environment: a.environment,
    server_id: String(a.server_id),
  };
}

const fmt = (v: number | null) => (v === null ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(2));

function toNotified(a: NotifyCandidate): NotifiedAlert {
  return {
    alert_id: a.id,
    status: a.state,
    rule: a.rule,
    severity: a.severity,
    server_id: a.server_id,
    hostname: a.hostname,
    region: a.region,
    reason: a.reason,
    value: a.last_value,
    peak: a.peak_value,
    started_at: a.started_at.toISOString(),
    fired_at: a.fired_at?.toISOString() ?? null,
    resolved_at: a.resolved_at?.toISOString() ?? null,
    summary: a.summary,
    runbook_url: a.runbook_url,
    labels: alertLabels(a),
  };
}

export function renderGroup(rule: NotifyCandidate, alerts: NotifiedAlert[]): NotificationPayload {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const resolved = alerts.length - firing;
  const counts = [firing ? `FIRING:${firing}` : '', resolved ? `RESOLVED:${resolved}` : ''].filter(Boolean);
  const lines = alerts.map(
    (a) =>
      `${a.status.toUpperCase()} ${a.hostname}: ${a.summary}, value ${fmt(a.value)} (peak ${fmt(a.peak)}), ` +
      `since ${a.fired_at ?? a.started_at}${a.resolved_at ? `, resolved ${a.resolved_at}` : ''}`,
  );
  if (rule.runbook_url) lines.push(`Runbook: ${rule.runbook_url}`);
  return {
    title: `[${counts.join(', ')}] ${rule.rule} (${rule.severity}) in ${rule.region}`,
    text: lines.join('\n'),
    severity: rule.severity,
    source: 'alert',
    group: { rule_id: rule.rule_id, rule: rule.rule, region: rule.region },
    alerts,
  };
}

export async function runNotifier(o: NotifierOptions): Promise<NotifierResult> {
  const now = o.clock.now();
  return withTransaction(o.pool, async (c) => {
    // One notifier at a time across processes; the other simply tries again next tick.
    if (!(await tryNotifierLock(c))) return { queued: 0, nextDueAt: null };
    const candidates = await notifyCandidates(c, now, o.repeatMs);
    if (candidates.length === 0) return { queued: 0, nextDueAt: null };
    const mute = new MuteIndex(await listSilences(c, now, false), await listMaintenance(c), now);
    const channels = new Map((await listChannels(c)).map((ch) => [ch.name, ch]));
    const marks: Parameters<typeof markNotified>[1] = [];
    const groups = new Map<string, { items: NotifyCandidate[]; dueAt: number }>();
    for (const a of candidates) {
      let dueAt: number;
      if (a.state === 'resolved') {
        dueAt = (a.resolved_at as Date).getTime() + o.groupWindowMs;
      } else {
        const by = mute.mutedBy({
          serverId: a.server_id,
          region: a.region,
          serverLabels: a.labels,
          labels: alertLabels(a),
        });
        if (by) {
          if (!a.muted_since) {
            const change: StateChange = {
              at: now.toISOString(),
              from: 'firing',
              to: 'muted',
              value: a.last_value,
              note: `notifications held by ${by}`,
            };
            marks.push({
              id: a.id,
              notified: false,
              resolvedNotified: false,
              muted: true,
              change: JSON.stringify(change),
            });
          }
          continue;
        }
        // Unmuted after being held, or due for a repeat: at once. New: after the group window.
        dueAt =
          a.notified_at === null && !a.muted_since
            ? (a.fired_at as Date).getTime() + o.groupWindowMs
            : now.getTime();
      }
      const key = `${a.rule_id}\u0000${a.region}`;
      const g = groups.get(key) ?? { items: [], dueAt: Infinity };
      g.items.push(a);
      g.dueAt = Math.min(g.dueAt, dueAt);
      groups.set(key, g);
    }
    const outbox: OutboxInsert[] = [];
    let next = Infinity;
    for (const g of groups.values()) {
      if (g.dueAt > now.getTime()) {
        next = Math.min(next, g.dueAt);
        continue;
      }
      const head = g.items[0] as NotifyCandidate;
      const all = g.items.map(toNotified);
      for (const name of head.channels) {
        const ch = channels.get(name);
        const alerts = ch && !ch.send_resolved ? all.filter((a) => a.status === 'firing') : all;
        if (alerts.length === 0) continue;
        outbox.push({
          channel_name: name,
          source: 'alert',
          dedup_key: `alerts:${head.rule_id}:${head.region}:${now.toISOString()}`,
          payload: renderGroup(head, alerts),
        });
      }
      for (const a of g.items) {
        marks.push({
          id: a.id,
          notified: a.state === 'firing',
          resolvedNotified: a.state === 'resolved',
          muted: false,
          change: null,
        });
      }
    }
    await enqueue(c, outbox, now);
    await markNotified(c, marks, now);
    return { queued: outbox.length, nextDueAt: Number.isFinite(next) ? new Date(next) : null };
  });
}
