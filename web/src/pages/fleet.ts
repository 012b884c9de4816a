// Fleet overview: how many servers are up, stale or down, per region; what is firing; who is
// busiest; how much traffic. Refreshes itself every 30 s while open.
import { api } from '../api.ts';
import { badge, h, link, replace, table } from '../dom.ts';
import { ago, bytes, pct } from '../format.ts';
import type { Route } from '../router.ts';
import type { FleetOverview, Page, RegionHealth, TopServer } from '../types.ts';
import { empty, failure, loading } from '../views.ts';

const REFRESH_MS = 30_000;

interface Data {
  overview: FleetOverview;
  regions: RegionHealth[];
  cpu: TopServer[];
  memory: TopServer[];
}

async function load(): Promise<Data> {
  const overview = await api.fleetOverview();
  const fallback = <R>(p: Promise<Page<R>>) => p.then((r) => r.items);
  const [regions, cpu, memory] = await Promise.all([
    overview.regions ? Promise.resolve(overview.regions) : fallback(api.regions()),
    overview.top_cpu ? Promise.resolve(overview.top_cpu) : fallback(api.top('cpu_usage')),
    overview.top_memory ? Promise.resolve(overview.top_memory) : fallback(api.top('memory_usage')),
  ]);
  return { overview, regions, cpu, memory };
}

function tile(label: string, value: string | number, kind = '', href?: string): HTMLElement {
  const body = [h('span', { class: 'tile-value' }, value), h('span', { class: 'tile-label' }, label)];
  return href ? h('a', { class: `tile ${kind}`, href }, body) : h('div', { class: `tile ${kind}` }, body);
}

function topTable(title: string, rows: TopServer[]): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, title),
    rows.length === 0
      ? empty('No samples yet.', 'Servers appear once an agent reports.')
      : table(title, ['Server', 'Region', 'Value'], rows, (r) => [
          link(`#/servers/${r.server_id}`, r.hostname),
          r.region ?? '',
          h('span', { class: 'meter', style: `--v:${Math.min(100, r.value)}%` }, pct(r.value)),
        ]),
  );
}

function view(d: Data): Node[] {
  const s = d.overview.servers ?? {};
  const firing = d.overview.alerts_firing ?? 0;
  return [
    h(
      'div',
      { class: 'tiles', 'data-testid': 'fleet-tiles' },
      tile('servers', s.total ?? 0, '', '#/servers'),
      tile('up', s.up ?? 0, 'ok', '#/servers?status=up'),
      tile('stale', s.stale ?? 0, (s.stale ?? 0) > 0 ? 'warn' : '', '#/servers?status=stale'),
      tile('down', s.down ?? 0, (s.down ?? 0) > 0 ? 'bad' : '', '#/servers?status=down'),
      tile('alerts firing', firing, firing > 0 ? 'bad' : 'ok', '#/alerts'),
      tile('network in (1h)', bytes(d.overview.network_in_bytes)),
      tile('network out (1h)', bytes(d.overview.network_out_bytes)),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Regions'),
      d.regions.length === 0
        ? empty(
            'No regions yet.',
            'Start `vigil agent` on a host, or run `vigil demo` to see a simulated fleet.',
          )
        : table(
            'Regions',
            ['Region', 'Servers', 'Up', 'Stale', 'Down', 'CPU avg', 'Memory avg', 'Firing'],
            d.regions,
            (r) => [
              link(`#/servers?region=${encodeURIComponent(r.region)}`, r.region),
              r.servers ?? '',
              r.up ?? '',
              (r.stale ?? 0) > 0 ? badge(String(r.stale), 'warn') : (r.stale ?? ''),
              (r.down ?? 0) > 0 ? badge(String(r.down), 'bad') : (r.down ?? ''),
              pct(r.cpu_avg),
              pct(r.memory_avg),
              (r.alerts_firing ?? 0) > 0 ? badge(String(r.alerts_firing), 'bad') : (r.alerts_firing ?? 0),
            ],
          ),
    ),
    h('div', { class: 'grid2' }, topTable('Top CPU', d.cpu), topTable('Top memory', d.memory)),
    h(
      'p',
      { class: 'hint' },
      `Data as of ${ago(d.overview.refreshed_at ?? new Date().toISOString())}; refreshes every 30 s.`,
    ),
  ];
}

export async function renderFleet(root: HTMLElement, _route: Route, signal: AbortSignal): Promise<void> {
  const body = h('div', { 'data-testid': 'fleet' });
  replace(root, h('h1', {}, 'Fleet overview'), body);
  replace(body, loading('the fleet'));
  const refresh = async (first: boolean) => {
    try {
      const d = await load();
      if (signal.aborted) return;
      replace(body, view(d));
      body.dataset.loaded = 'true';
    } catch (e) {
      if (first || !body.dataset.loaded)
        replace(
          body,
          failure(e, () => void refresh(true)),
        );
    }
  };
  await refresh(true);
  const timer = window.setInterval(() => document.hidden || void refresh(false), REFRESH_MS);
  signal.addEventListener('abort', () => window.clearInterval(timer));
}
