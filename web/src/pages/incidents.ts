// Incidents list: open ones first (triggered, then acknowledged), then recently resolved.
import { api } from '../api.ts';
import { badge, button, h, link, replace, table } from '../dom.ts';
import { dateTime, duration } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import type { Incident } from '../types.ts';
import { empty, section } from '../views.ts';

export function statusBadge(s: Incident['status']): HTMLElement {
  return badge(s, s === 'triggered' ? 'bad' : s === 'acknowledged' ? 'warn' : 'ok');
}

export async function renderIncidents(root: HTMLElement, route: Route): Promise<void> {
  let status = route.query.get('status') ?? 'open';
  const list = h('section', { class: 'card', 'data-testid': 'incidents' });
  const tabs = h(
    'div',
    { class: 'segmented', role: 'toolbar', 'aria-label': 'Incident status' },
    [
      ['open', 'Open'],
      ['resolved', 'Resolved'],
      ['all', 'All'],
    ].map(([v, l]) =>
      button(
        l ?? '',
        () => ((status = v ?? 'open'), setQuery({ status: v === 'open' ? undefined : v }), void load()),
        {
          class: 'seg',
          'data-status': v,
        },
      ),
    ),
  );
  replace(root, h('h1', {}, 'Incidents'), tabs, list);

  async function load(): Promise<void> {
    for (const b of tabs.querySelectorAll('button'))
      b.setAttribute('aria-pressed', String(b.dataset.status === status));
    await section(
      list,
      'incidents',
      () => api.incidents({ status: status === 'all' ? undefined : status, limit: 200 }),
      (p) =>
        p.items.length === 0
          ? empty(
              status === 'open' ? 'No open incident.' : 'No incidents here.',
              'Incidents open when a critical alert fires.',
            )
          : table(
              'Incidents',
              ['Status', 'Severity', 'Title', 'Region', 'Opened', 'Duration'],
              p.items,
              (i) => [
                statusBadge(i.status),
                badge(i.severity, i.severity === 'critical' ? 'bad' : 'warn'),
                link(`#/incidents/${i.id}`, i.title),
                i.region ?? '',
                dateTime(i.created_at),
                duration(i.created_at, i.resolved_at),
              ],
            ),
    );
  }
  await load();
}
