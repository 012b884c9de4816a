// Reports: the daily or weekly fleet report (from the daily rollups): availability, p95 CPU
// and memory, top offenders, alerts by rule, incidents with MTTA and MTTR. The same report is
// downloadable as self-contained HTML or CSV.
import { api } from '../api.ts';
import { field, h, link, replace, select, table } from '../dom.ts';
import { bytes, dateTime, pct } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import type { Report, ReportLine } from '../types.ts';
import { empty, section } from '../views.ts';

const KINDS: [string, string][] = [
  ['daily', 'Daily (yesterday, UTC)'],
  ['weekly', 'Weekly (last 7 whole days)'],
];

const minutes = (s: number | null) => (s === null ? '–' : `${Math.round(s / 60)} min`);

function offenders(title: string, rows: ReportLine[], value: (r: ReportLine) => string): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, title),
    rows.length === 0
      ? empty('No server in this period.')
      : table(title, ['Server', 'Region', 'Value'], rows.slice(0, 5), (r) => [
          link(`#/servers/${r.server_id}`, r.hostname),
          r.region,
          value(r),
        ]),
  );
}

export function reportView(r: Report): Node[] {
  const s = r.summary;
  if (s.servers === 0)
    return [
      empty(
        'The report has no data for this period.',
        'Reports read the daily rollup: pick a period with reported samples, or wait for the nightly rollup.',
      ),
    ];
  const alerts = Object.entries(s.alerts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return [
    h('p', {}, `${r.kind} report, ${dateTime(r.from)} – ${dateTime(r.to)}`),
    h(
      'dl',
      { class: 'totals' },
      [
        ['servers', String(s.servers)],
        ['availability (avg)', pct(s.availability_avg === null ? null : s.availability_avg * 100)],
        ['servers below 99 %', String(s.servers_below_99)],
        ['alerts', alerts || '0'],
        ['incidents', String(s.incidents)],
        ['MTTA', minutes(s.mtta_seconds)],
        ['MTTR', minutes(s.mttr_seconds)],
        ['errors logged', String(s.errors)],
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    h(
      'div',
      { class: 'grid2' },
      offenders('Top CPU p95', r.top.cpu_p95, (x) => pct(x.cpu_usage_p95)),
      offenders('Top memory p95', r.top.memory_p95, (x) => pct(x.memory_usage_p95)),
      offenders('Lowest availability', r.top.availability, (x) => pct(x.availability * 100)),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Alerts by rule'),
      r.alerts_by_rule.length === 0
        ? empty('No alert in this period.')
        : table('Alerts by rule', ['Rule', 'Severity', 'Alerts'], r.alerts_by_rule, (a) => [
            a.rule,
            a.severity,
            a.count,
          ]),
    ),
    h(
      'p',
      { class: 'hint' },
      `${r.servers.length} servers in the full report; network in ${bytes(r.servers.reduce((n, x) => n + x.network_in_bytes, 0))}.`,
    ),
  ];
}

export async function renderReports(root: HTMLElement, route: Route): Promise<void> {
  let kind = route.query.get('kind') === 'weekly' ? 'weekly' : 'daily';
  const out = h('section', { class: 'card', 'data-testid': 'report' });
  const download = h('p', { class: 'hint' });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Report' },
    field(
      'Report',
      select('kind', KINDS, kind, (v) => (kind = v)),
    ),
    h('button', { type: 'submit' }, 'Run report'),
  );
  const run = () => {
    setQuery({ kind });
    replace(
      download,
      'Download: ',
      h('a', { href: `/api/v1/reports/${kind}?format=html`, download: '' }, 'HTML'),
      ' · ',
      h('a', { href: `/api/v1/reports/${kind}?format=csv`, download: '' }, 'CSV'),
    );
    return section(out, 'the report', () => api.report(kind), reportView);
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  replace(root, h('h1', {}, 'Reports'), form, download, out);
  await run();
}
