// Anomalies: what the detectors flagged, strongest first, linked to the server's charts at
// that moment so the spike is one click away.
import { api } from '../api.ts';
import { h, link, replace, select, table } from '../dom.ts';
import { dateTime } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import { empty, section } from '../views.ts';

const WINDOWS: [string, string][] = [
  ['24', 'Last 24 hours'],
  ['168', 'Last 7 days'],
  ['720', 'Last 30 days'],
];

export async function renderAnomalies(root: HTMLElement, route: Route): Promise<void> {
  let hours = route.query.get('hours') ?? '168';
  const list = h('section', { class: 'card', 'data-testid': 'anomalies' });
  const win = select('window', WINDOWS, hours, (v) => ((hours = v), setQuery({ hours: v }), void load()));
  win.setAttribute('aria-label', 'Time window');
  replace(root, h('h1', {}, 'Anomalies'), h('div', { class: 'filters' }, win), list);

  async function load(): Promise<void> {
    const from = new Date(Date.now() - Number(hours) * 3600_000).toISOString();
    await section(
      list,
      'anomalies',
      () => api.anomalies({ from, limit: 200 }),
      (p) =>
        p.items.length === 0
          ? empty(
              'No anomaly in this window.',
              'Detectors score every new sample; widen the window to look further back.',
            )
          : table('Anomalies', ['When', 'Server', 'Metrics', 'Score', 'Method', 'Why'], p.items, (a) => {
              const t = new Date(a.ts).getTime();
              const around = `from=${new Date(t - 3 * 3600_000).toISOString()}&to=${new Date(t + 3 * 3600_000).toISOString()}`;
              return [
                dateTime(a.ts),
                link(
                  `#/servers/${a.server_id}?range=custom&${around}`,
                  a.hostname ?? `server ${a.server_id}`,
                ),
                a.metrics.join(', '),
                h('span', { class: 'meter', style: `--v:${Math.round(a.score * 100)}%` }, a.score.toFixed(2)),
                a.method.replace(/_/g, ' '),
                a.explanation ?? '',
              ];
            }),
    );
  }
  await load();
}
