// Servers list: search by host name, filter by region and label, sort, page through. Filters
// live in the URL, so a filtered view can be bookmarked or shared. The API pages by keyset
// (a cursor, no total): pages never repeat or skip a server while the fleet changes.
import { api } from '../api.ts';
import { button, field, h, link, replace, select } from '../dom.ts';
import { ago, dateTime } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import type { Server, ServerQuery } from '../types.ts';
import { empty, failure, loading } from '../views.ts';
import { healthBadge } from './server.ts';

const PAGE = 50;
/** Columns; a key is one the API sorts by, null for one it cannot. */
const COLUMNS: [key: string | null, label: string][] = [
  ['hostname', 'Server'],
  ['region', 'Region'],
  [null, 'Environment'],
  [null, 'Health'],
  ['last_seen_at', 'Last seen'],
  ['first_seen_at', 'First seen'],
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
    sort: q.get('sort') ?? 'hostname',
    order: q.get('order') === 'desc' ? 'desc' : 'asc',
    cursor: q.get('cursor') ?? undefined,
    limit: PAGE,
  };
  /** Cursors of the pages before this one, for "Previous". */
  const back: (string | undefined)[] = [];
  const results = h('div', { 'data-testid': 'servers' });
  const search = h('input', { type: 'search', name: 'q', value: state.q ?? '', placeholder: 'web-01' });
  const label = h('input', { type: 'text', name: 'label', value: state.label ?? '', placeholder: 'role=db' });
  const regionSel = select('region', [['', 'All regions']], state.region ?? '', (v) => update({ region: v }));
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
    ),
    results,
  );
  void api.fleetOverview().then(
    (r) => {
      for (const reg of r.regions)
        regionSel.append(
          h('option', { value: reg.region, selected: reg.region === state.region }, reg.region),
        );
    },
    () => undefined, // the list still works without the region names
  );

  function update(change: Partial<ServerQuery>): void {
    if (!('cursor' in change)) {
      change.cursor = undefined; // a new filter or sort starts at the first page
      back.length = 0;
    }
    Object.assign(state, change);
    setQuery({
      q: state.q,
      region: state.region,
      label: state.label,
      sort: state.sort === 'hostname' ? undefined : state.sort,
      order: state.order === 'asc' ? undefined : state.order,
      cursor: state.cursor,
    });
    void load();
  }

  function header(key: string | null, text: string): HTMLElement {
    if (key === null) return h('th', { scope: 'col' }, text);
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
      const pageNo = back.length + 1;
      replace(
        results,
        h(
          'table',
          {},
          h('caption', {}, `Servers, page ${pageNo}${page.next_cursor ? '' : ' (last)'}`),
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
                h('td', {}, s.environment),
                h('td', {}, healthBadge(s.last_seen_at)),
                h('td', {}, ago(s.last_seen_at)),
                h('td', {}, dateTime(s.first_seen_at)),
              ),
            ),
          ),
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          button('Previous', () => update({ cursor: back.pop() }), { disabled: back.length === 0 }),
          h('span', {}, `Page ${pageNo}`),
          button(
            'Next',
            () => {
              back.push(state.cursor);
              update({ cursor: page.next_cursor ?? undefined });
            },
            { disabled: !page.next_cursor },
          ),
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
