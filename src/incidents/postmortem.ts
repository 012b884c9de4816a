// Postmortems: validation of the structured note and its Markdown export. The timeline section is
// rendered from incident_response_logs, which nobody can rewrite, so the export shows what
// actually happened and when, next to what people wrote afterwards.
import { validationError } from '../core/errors.ts';
import type { ActionItem, IncidentRow, LinkedAlertRow, LogRow, PostmortemRow } from './types.ts';

export function normalizeActionItems(raw: unknown): ActionItem[] {
  if (!Array.isArray(raw)) throw validationError('action_items must be an array', { field: 'action_items' });
  return raw.map((item: unknown, i) => {
    const it = item as Partial<ActionItem> | null;
    if (!it || typeof it.title !== 'string' || it.title.trim() === '' || it.title.length > 500) {
      throw validationError(`action_items[${i}].title must be 1-500 characters`, {
        field: `action_items[${i}].title`,
      });
    }
    if (it.due != null && (typeof it.due !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(it.due))) {
      throw validationError(`action_items[${i}].due must be a date (YYYY-MM-DD)`, {
        field: `action_items[${i}].due`,
      });
    }
    return { title: it.title.trim(), owner: it.owner ?? null, due: it.due ?? null, done: it.done === true };
  });
}

const iso = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : '—');

export function formatSeconds(s: number | null): string {
  if (s === null) return '—';
  const m = Math.round(s / 60);
  if (m < 1) return `${Math.round(s)}s`;
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

const since = (a: Date, b: Date | null) => (b ? formatSeconds((b.getTime() - a.getTime()) / 1000) : '—');

/** One readable line for a timeline entry. */
export function describeLog(l: LogRow): string {
  const d = l.details as Record<string, unknown>;
  const who = l.actor ?? 'Vigil';
  switch (l.action) {
    case 'created':
      return d.source === 'alert' ? `opened from alert #${String(d.alert_id)}` : `opened by ${who}`;
    case 'alert_linked':
      return `alert #${String(d.alert_id)} linked (${String(d.rule)} on ${String(d.hostname)})`;
    case 'notified':
      return d.delivered
        ? `notified ${d.target === 'user' ? `${String(d.username)} by ${String(d.via)}` : String(d.channel)} (${String(d.policy)} step ${String(d.step)})`
        : `could not notify ${String(d.username ?? d.user_id)}: ${String(d.reason)}`;
    case 'escalated':
      return d.exhausted
        ? `escalation policy ${String(d.policy)} exhausted without acknowledgement`
        : `escalated to step ${String(d.to_step)} of ${String(d.policy)}`;
    case 'acknowledged':
    case 'resolved':
    case 'reopened':
      return `${l.action} by ${who}${d.note ? `: ${String(d.note)}` : d.reason ? ` (${String(d.reason)})` : ''}`;
    case 'note_added':
      return `note by ${who}: ${String(d.text)}`;
    case 'runbook_step_done':
      return `runbook step done by ${who}: ${String(d.step)}`;
    case 'assigned':
      return `assigned to ${String(d.to ?? 'nobody')} by ${who}`;
    case 'severity_changed':
      return `severity ${String(d.from)} → ${String(d.to)} by ${who}`;
    case 'postmortem_updated':
      return `postmortem ${d.created ? 'written' : 'updated'} by ${who}`;
    case 'updated':
      return `${Object.keys(d).join(', ')} edited by ${who}`;
  }
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

export function postmortemMarkdown(
  incident: IncidentRow,
  pm: PostmortemRow | null,
  timeline: LogRow[],
  alerts: LinkedAlertRow[],
): string {
  const section = (title: string, body: string) => [
    `## ${title}`,
    '',
    body.trim() || '_Not written yet._',
    '',
  ];
  const out = [
    `# Postmortem: incident #${incident.id} — ${incident.title}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Severity | ${incident.severity} |`,
    `| Region | ${incident.region ?? '—'} |`,
    `| Status | ${incident.status} |`,
    `| Opened | ${iso(incident.created_at)} |`,
    `| Acknowledged | ${iso(incident.acknowledged_at)} (after ${since(incident.created_at, incident.acknowledged_at)}) |`,
    `| Resolved | ${iso(incident.resolved_at)} (after ${since(incident.created_at, incident.resolved_at)}) |`,
    `| Assignee | ${incident.assignee ?? '—'} |`,
    '',
    ...section('Summary', pm?.summary ?? ''),
    ...section('Impact', pm?.impact ?? ''),
    ...section('Root cause', pm?.root_cause ?? ''),
    '## Timeline (UTC)',
    '',
    ...(timeline.length === 0
      ? ['_No entries._']
      : timeline.map((l) => `- ${iso(l.ts)} — ${oneLine(describeLog(l))}`)),
    '',
    '## Action items',
    '',
    ...((pm?.action_items.length ?? 0) === 0
      ? ['_None._']
      : (pm?.action_items ?? []).map(
          (a) =>
            `- [${a.done ? 'x' : ' '}] ${oneLine(a.title)}${a.owner ? ` — ${a.owner}` : ''}${a.due ? ` (due ${a.due})` : ''}`,
        )),
    '',
  ];
  if (alerts.length > 0) {
    out.push('## Linked alerts', '');
    for (const a of alerts) {
      out.push(
        `- #${a.id} ${a.rule_name} on ${a.hostname}: fired ${iso(a.fired_at)}, resolved ${iso(a.resolved_at)}` +
          (a.runbook_url ? ` ([runbook](${a.runbook_url}))` : ''),
      );
    }
    out.push('');
  }
  return out.join('\n');
}
