// Incident detail: status, linked alerts, the timeline of every action, and (for devops and
// admins) acknowledge, resolve and add a note.
import { api } from '../api.ts';
import { badge, button, field, h, link, replace, table } from '../dom.ts';
import { dateTime, duration } from '../format.ts';
import type { Route } from '../router.ts';
import { can } from '../session.ts';
import type { IncidentDetail, TimelineEntry } from '../types.ts';
import { act, empty, failure, loading } from '../views.ts';
import { statusBadge } from './incidents.ts';

function describe(e: TimelineEntry): string {
  const d = e.details ?? {};
  const note = typeof d.note === 'string' ? d.note : typeof d.text === 'string' ? d.text : '';
  const rest = Object.entries(d)
    .filter(([k]) => k !== 'note' && k !== 'text')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return [note, rest].filter(Boolean).join(' — ');
}

function timelineView(entries: TimelineEntry[]): Node {
  if (entries.length === 0) return empty('No actions recorded yet.');
  return h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline' },
    entries.map((e) =>
      h(
        'li',
        {},
        h('time', { datetime: e.ts }, dateTime(e.ts)),
        h('strong', {}, ` ${e.action.replace(/_/g, ' ')}`),
        e.actor ? ` by ${e.actor}` : '',
        h('div', { class: 'detail' }, describe(e)),
      ),
    ),
  );
}

function actionsView(i: IncidentDetail, refresh: () => void): Node | null {
  if (!can('incident.write')) return null;
  const note = h('textarea', { name: 'note', rows: 2, placeholder: 'What you saw or did' });
  const out: Node[] = [];
  if (i.status === 'triggered') {
    const ack = button(
      'Acknowledge',
      () =>
        void act(ack, () => api.acknowledgeIncident(i.id), 'Incident acknowledged').then(
          (ok) => ok && refresh(),
        ),
      { 'data-action': 'ack' },
    );
    out.push(ack);
  }
  if (i.status !== 'resolved') {
    const resolve = button(
      'Resolve',
      () =>
        void act(
          resolve,
          () => api.resolveIncident(i.id, note.value.trim() || undefined),
          'Incident resolved',
        ).then((ok) => ok && refresh()),
      { 'data-action': 'resolve' },
    );
    out.push(resolve);
  }
  const add = button(
    'Add note',
    () => {
      if (!note.value.trim()) return note.focus();
      void act(add, () => api.addNote(i.id, note.value.trim()), 'Note added').then((ok) => ok && refresh());
    },
    { class: 'ghost', 'data-action': 'note' },
  );
  return h(
    'section',
    { class: 'card', 'aria-label': 'Respond' },
    field('Note', note),
    h('div', { class: 'actions' }, out, add),
  );
}

export async function renderIncident(root: HTMLElement, route: Route, signal: AbortSignal): Promise<void> {
  const id = Number(route.params.id);
  const load = async (): Promise<void> => {
    if (!root.dataset.loaded) replace(root, loading(`incident ${id}`));
    try {
      const [i, timeline] = await Promise.all([
        api.incident(id),
        api
          .timeline(id)
          .then((t) => t.items)
          .catch(() => null),
      ]);
      if (signal.aborted) return;
      const entries = timeline ?? i.timeline ?? [];
      replace(
        root,
        h('p', {}, link('#/incidents', '← Incidents')),
        h('h1', {}, i.title),
        h(
          'p',
          { 'data-testid': 'incident-status' },
          statusBadge(i.status),
          ' ',
          badge(i.severity, i.severity === 'critical' ? 'bad' : 'warn'),
          ` opened ${dateTime(i.created_at)}, ${i.resolved_at ? `resolved after ${duration(i.created_at, i.resolved_at)}` : `open for ${duration(i.created_at)}`}`,
          i.region ? ` · region ${i.region}` : '',
        ),
        i.summary ? h('p', {}, i.summary) : null,
        actionsView(i, () => void load()),
        i.alerts?.length
          ? h(
              'section',
              { class: 'card' },
              h('h2', {}, 'Alerts'),
              table('Linked alerts', ['Alert', 'Server', 'State', 'Since'], i.alerts, (a) => [
                a.rule_name ?? `rule ${a.rule_id}`,
                link(`#/servers/${a.server_id}`, a.hostname ?? `server ${a.server_id}`),
                a.state,
                dateTime(a.fired_at ?? a.started_at),
              ]),
            )
          : null,
        h('section', { class: 'card' }, h('h2', {}, 'Timeline'), timelineView(entries)),
      );
      root.dataset.loaded = 'true';
    } catch (e) {
      replace(
        root,
        failure(e, () => void load()),
      );
    }
  };
  delete root.dataset.loaded;
  await load();
}
