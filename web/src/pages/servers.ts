// Servers list: search by host name, filter by region, label and health, sort by any column,
// page through. Filters live in the URL, so a filtered view can be bookmarked or shared.
import { api } from '../api.ts';
import { badge, button, field, h, link, replace, select } from '../dom.ts';
import { ago, pct } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import type { Server, ServerQuery } from '../types.ts';
import { empty, failure, loading } from '../views.ts';

const PAGE = 50;
const COLUMNS: [key: string, label: string][] = [
  ['hostname', 'Server'],
  ['region', 'Region'],
  ['status', 'Health'],
  ['cpu_usage', 'CPU'],
  ['memory_usage', 'Memory'],
  ['disk_usage', 'Disk'],
  ['last_seen_at', 'Last seen'],
];

function labels(s: Server): string {
  return Object.entries(s.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export async function renderServers(root: HTMLElement, route: Route, signal: AbortSignal): Promise<void> {
  const q = route.query;
  const state: ServerQuery = {
    q: q.get('q') ?? '',
    region: q.get('region') ?? '',
    label: q.get('label') ?? '',
    status: q.get('status') ?? '',
    sort: q.get('sort') ?? 'hostname',
    order: q.get('order') === 'desc' ? 'desc' : 'asc',
    offset: Number(q.get('offset') ?? 0) || 0,
    limit: PAGE,
  };
  const results = h('div', { 'data-testid': 'servers' });
  const search = h('input', { type: 'search', name: 'q', value: state.q ?? '', placeholder: 'web-01' });
  const label = h('input', { type: 'text', name: 'label', value: state.label ?? '', placeholder: 'role=db' });
  const regionSel = select('region', [['', 'All regions']], state.region ?? '', (v) => update({ region: v }));
  const statusSel = select(
    'status',
    [
      ['', 'Any health'],
      ['up', 'Up'],
      ['stale', 'Stale'],
      ['down', 'Down'],
    ],
    state.status ?? '',
    (v) => update({ status: v }),
  );
  let debounce = 0;
  search.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => update({ q: search.value.trim() }), 250);
  });
  label.addEventListener('change', () => update({ label: label.value.trim() }));
  replace(
    root,
    h('h1', {}, 'Servers'),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (e: Event) => e.preventDefault() },
      field('Search host name', search),
      field('Region', regionSel),
      field('Label', label, 'key=value'),
      field('Health', statusSel),
    ),
    results,
  );
  void api.regions().then(
    (r) => {
      for (const reg of r.items)
        regionSel.append(
          h('option', { value: reg.region, selected: reg.region === state.region }, reg.region),
        );
    },
    () => undefined, // the list still works without the region names
  );

  function update(change: Partial<ServerQuery>): void {
    Object.assign(state, change, 'offset' in change ? {} : { offset: 0 });
    setQuery({
      q: state.q,
      region: state.region,
      label: state.label,
      status: state.status,
      sort: state.sort === 'hostname' ? undefined : state.sort,
      order: state.order === 'asc' ? undefined : state.order,
      offset: state.offset ? String(state.offset) : undefined,
    });
    void load();
  }

  function header(key: string, text: string): HTMLElement {
    const active = state.sort === key;
    const dir = active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';
    return h(
      'th',
      { scope: 'col', 'aria-sort': dir },
      button(
        `${text}${active ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''}`,
        () => update({ sort: key, order: active && state.order === 'asc' ? 'desc' : 'asc' }),
        { class: 'sort' },
      ),
    );
  }

  async function load(): Promise<void> {
    replace(results, loading('servers'));
    try {
      const page = await api.servers(state);
      if (signal.aborted) return;
      if (page.items.length === 0) {
        replace(
          results,
          empty('No server matches these filters.', 'Clear the search or pick another region.'),
        );
        return;
      }
      const from = (state.offset ?? 0) + 1;
      const to = (state.offset ?? 0) + page.items.length;
      replace(
        results,
        h(
          'table',
          {},
          h('caption', {}, `Servers ${from}–${to} of ${page.total}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              COLUMNS.map(([k, t]) => header(k, t)),
            ),
          ),
          h(
            'tbody',
            {},
            page.items.map((s) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  link(`#/servers/${s.id}`, s.hostname),
                  h('small', { class: 'labels' }, labels(s)),
                ),
                h('td', {}, s.region),
                h(
                  'td',
                  {},
                  s.status
                    ? badge(s.status, s.status === 'up' ? 'ok' : s.status === 'stale' ? 'warn' : 'bad')
                    : '–',
                ),
                h('td', {}, pct(s.cpu_usage)),
                h('td', {}, pct(s.memory_usage)),
                h('td', {}, pct(s.disk_usage)),
                h('td', {}, ago(s.last_seen_at)),
              ),
            ),
          ),
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          button('Previous', () => update({ offset: Math.max(0, (state.offset ?? 0) - PAGE) }), {
            disabled: from <= 1,
          }),
          h(
            'span',
            {},
            `Page ${Math.floor((state.offset ?? 0) / PAGE) + 1} of ${Math.max(1, Math.ceil(page.total / PAGE))}`,
          ),
          button('Next', () => update({ offset: (state.offset ?? 0) + PAGE }), {
            disabled: to >= page.total,
          }),
        ),
      );
    } catch (e) {
      replace(
        results,
        failure(e, () => void load()),
      );
    }
  }
  await load();
}
