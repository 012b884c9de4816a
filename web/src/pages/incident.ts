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

function timelineView(entries: TimelineEntry[] | null): Node {
  // Only responders may read the timeline (PostgreSQL refuses readonly); say so instead of "none".
  if (entries === null)
    return empty('Your role may not read the response timeline.', 'Devops and admin users see it.');
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
        h('div', { class: 'detail' }, e.text),
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
      const [i, entries] = await Promise.all([
        api.incident(id),
        can('incident.write') ? api.timeline(id) : Promise.resolve(null),
      ]);
      if (signal.aborted) return;
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
          i.acknowledged_by_name ? ` acknowledged by ${i.acknowledged_by_name} ·` : '',
          ` opened ${dateTime(i.created_at)}, ${i.resolved_at ? `resolved after ${duration(i.created_at, i.resolved_at)}` : `open for ${duration(i.created_at)}`}`,
          i.region ? ` · region ${i.region}` : '',
        ),
        i.summary ? h('p', {}, i.summary) : null,
        actionsView(i, () => void load()),
        i.alerts.length
          ? h(
              'section',
              { class: 'card' },
              h('h2', {}, 'Alerts'),
              table('Linked alerts', ['Alert', 'Server', 'State', 'Since'], i.alerts, (a) => [
                a.rule_name,
                link(`#/servers/${a.server_id}`, a.hostname),
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
