// Fleet overview: how many servers are up, stale or down, per region; what is firing; who is
// busiest; how much traffic. Refreshes itself every 30 s while open.
import { api } from '../api.ts';
import { badge, h, link, replace, table } from '../dom.ts';
import { ago, bytes, pct } from '../format.ts';
import type { Route } from '../router.ts';
import type { FleetOverview, RegionPoint, TopServer, TopTalker } from '../types.ts';
import { empty, failure, loading } from '../views.ts';

const REFRESH_MS = 30_000;
const DAY_MS = 86_400_000;

interface Data {
  overview: FleetOverview;
  cpu: TopServer[];
  memory: TopServer[];
  talkers: TopTalker[];
  network: { in: number; out: number };
}

/** Fleet network bytes over the window: the sum of the per-region hourly points. */
function networkTotals(points: RegionPoint[]): Data['network'] {
  let inB = 0;
  let outB = 0;
  for (const p of points) {
    inB += p.network_in_bytes ?? 0;
    outB += p.network_out_bytes ?? 0;
  }
  return { in: inB, out: outB };
}

async function load(): Promise<Data> {
  const since = new Date(Date.now() - DAY_MS);
  // Five small reads from views and rollups, in parallel: the page waits for the slowest only.
  const [overview, cpu, memory, talkers, regions] = await Promise.all([
    api.fleetOverview(),
    api.top('cpu_usage', since),
    api.top('memory_usage', since),
    api.topTalkers(5),
    api.regionSeries(since),
  ]);
  return {
    overview,
    cpu: cpu.items,
    memory: memory.items,
    talkers: talkers.items,
    network: networkTotals(regions.points),
  };
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
      ? empty(
          'No hourly rollup yet.',
          'Top servers appear after the first hourly rollup of reported samples.',
        )
      : table(title, ['Server', 'Region', 'Average'], rows, (r) => [
          link(`#/servers/${r.server_id}`, r.hostname),
          r.region,
          h('span', { class: 'meter', style: `--v:${Math.min(100, r.value ?? 0)}%` }, pct(r.value)),
        ]),
  );
}

function talkersTable(rows: TopTalker[]): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Top talkers (24 h)'),
    rows.length === 0
      ? empty('No network samples in the last 24 hours.')
      : table('Top talkers', ['Server', 'Region', 'In', 'Out'], rows, (r) => [
          link(`#/servers/${r.server_id}`, r.hostname),
          r.region,
          bytes(r.network_in_bytes),
          bytes(r.network_out_bytes),
        ]),
  );
}

function view(d: Data): Node[] {
  const s = d.overview.totals;
  const firing = s.firing_alerts;
  return [
    h(
      'div',
      { class: 'tiles', 'data-testid': 'fleet-tiles' },
      tile('servers', s.servers, '', '#/servers'),
      tile('up', s.up, 'ok', '#/servers?sort=last_seen_at&order=desc'),
      tile('stale', s.stale, s.stale > 0 ? 'warn' : '', '#/servers?sort=last_seen_at'),
      tile('down', s.down, s.down > 0 ? 'bad' : '', '#/servers?sort=last_seen_at'),
      tile('alerts firing', firing, firing > 0 ? 'bad' : 'ok', '#/alerts'),
      tile('network in (24 h)', bytes(d.network.in)),
      tile('network out (24 h)', bytes(d.network.out)),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Regions'),
      d.overview.regions.length === 0
        ? empty(
            'No regions yet.',
            'Start `vigil agent` on a host, or run `vigil demo` to see a simulated fleet.',
          )
        : table(
            'Regions',
            ['Region', 'Servers', 'Up', 'Stale', 'Down', 'CPU avg', 'Memory avg', 'Firing'],
            d.overview.regions,
            (r) => [
              link(`#/servers?region=${encodeURIComponent(r.region)}`, r.region),
              r.servers,
              r.up,
              r.stale > 0 ? badge(String(r.stale), 'warn') : r.stale,
              r.down > 0 ? badge(String(r.down), 'bad') : r.down,
              pct(r.cpu_usage_avg),
              pct(r.memory_usage_avg),
              r.firing_alerts > 0 ? badge(String(r.firing_alerts), 'bad') : 0,
            ],
          ),
    ),
    h(
      'div',
      { class: 'grid2' },
      topTable('Top CPU (24 h)', d.cpu),
      topTable('Top memory (24 h)', d.memory),
      talkersTable(d.talkers),
    ),
    h(
      'p',
      { class: 'hint' },
      d.overview.as_of
        ? `Data as of ${ago(d.overview.as_of)}; refreshes every 30 s.`
        : 'The overview has not been refreshed yet; it refreshes every 30 s.',
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
