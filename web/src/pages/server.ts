// Server detail: charts over a chosen window (1h … 30d, custom, or a dragged zoom), live refresh
// on short windows, alert and anomaly markers, and the server's recent error logs.
import { api } from '../api.ts';
import { badge, button, field, h, replace, table } from '../dom.ts';
import { ago, dateTime, toLocalInput } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import { RANGES } from '../series.ts';
import type { ErrorLog, Server } from '../types.ts';
import { empty, failure, loading, section } from '../views.ts';
import { serverCharts } from './server-charts.ts';

const SEVERITY = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];

function header(s: Server): HTMLElement {
  const labels = Object.entries(s.labels ?? {}).map(([k, v]) => badge(`${k}=${v}`, 'label'));
  return h(
    'div',
    { class: 'server-head' },
    h('h1', {}, s.hostname),
    h(
      'p',
      {},
      s.status ? badge(s.status, s.status === 'up' ? 'ok' : s.status === 'stale' ? 'warn' : 'bad') : null,
      ` ${s.region} · ${s.environment ?? ''} · last seen ${ago(s.last_seen_at)} `,
      labels,
    ),
  );
}

function logsView(logs: ErrorLog[]): Node {
  if (logs.length === 0)
    return empty('No error logs in this window.', 'Widen the time range to look further back.');
  return table('Recent error logs', ['Time', 'Severity', 'Source', 'Message'], logs, (l) => [
    dateTime(l.ts),
    badge(SEVERITY[l.severity] ?? String(l.severity), l.severity <= 3 ? 'bad' : 'warn'),
    l.source ?? '',
    h('span', { class: 'msg' }, l.message),
  ]);
}

export async function renderServer(root: HTMLElement, route: Route, signal: AbortSignal): Promise<void> {
  const id = Number(route.params.id);
  const head = h('div', {}, loading('the server'));
  const status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const chartsEl = h('div', { class: 'charts', 'data-testid': 'charts' });
  const logsEl = h('section', { class: 'card' });
  let rangeKey = route.query.get('range') ?? '1h';
  let custom: [Date, Date] | null = null;
  const qFrom = route.query.get('from');
  const qTo = route.query.get('to');
  if (rangeKey === 'custom' && qFrom && qTo) custom = [new Date(qFrom), new Date(qTo)];
  else if (!RANGES.some((r) => r.key === rangeKey)) rangeKey = '1h';

  const fromInput = h('input', { type: 'datetime-local', name: 'from' });
  const toInput = h('input', { type: 'datetime-local', name: 'to' });
  const live = h('input', { type: 'checkbox', name: 'live', checked: true });
  const rangeButtons = RANGES.map((r) =>
    button(r.label, () => pick(r.key), { class: 'seg', 'data-range': r.key, 'aria-pressed': 'false' }),
  );
  const controls = h(
    'div',
    { class: 'range-bar', role: 'toolbar', 'aria-label': 'Time range' },
    h('div', { class: 'segmented' }, rangeButtons),
    h(
      'form',
      { class: 'custom-range', onsubmit: (e: Event) => (e.preventDefault(), applyCustom()) },
      field('From', fromInput),
      field('To', toInput),
      h('button', { type: 'submit' }, 'Apply'),
    ),
    h('label', { class: 'live' }, live, ' Live refresh'),
  );
  const charts = serverCharts(
    id,
    (f, t) => {
      custom = [f, t];
      rangeKey = 'custom';
      void reload();
    },
    () => pick(rangeKey === 'custom' ? '1h' : rangeKey),
  );
  replace(root, head, controls, status, chartsEl, h('h2', {}, 'Recent error logs'), logsEl);
  replace(chartsEl, charts.el);

  function window_(): [Date, Date] {
    if (rangeKey === 'custom' && custom) return custom;
    const r = RANGES.find((x) => x.key === rangeKey) ?? RANGES[0];
    const to = new Date();
    return [new Date(to.getTime() - (r?.seconds ?? 3600) * 1000), to];
  }
  function pick(key: string): void {
    rangeKey = key;
    custom = null;
    void reload();
  }
  function applyCustom(): void {
    const f = new Date(fromInput.value);
    const t = new Date(toInput.value);
    if (Number.isNaN(f.getTime()) || Number.isNaN(t.getTime()) || f >= t) {
      status.textContent = 'Pick a start before the end.';
      return;
    }
    custom = [f, t];
    rangeKey = 'custom';
    void reload();
  }

  async function reload(quiet = false): Promise<void> {
    const [from, to] = window_();
    for (const b of rangeButtons) b.setAttribute('aria-pressed', String(b.dataset.range === rangeKey));
    fromInput.value = toLocalInput(from);
    toInput.value = toLocalInput(to);
    setQuery({
      range: rangeKey === '1h' ? undefined : rangeKey,
      from: rangeKey === 'custom' ? from.toISOString() : undefined,
      to: rangeKey === 'custom' ? to.toISOString() : undefined,
    });
    if (!quiet) status.textContent = 'Loading charts…';
    try {
      await charts.load(from, to);
      if (signal.aborted) return;
      status.textContent = `${dateTime(from.toISOString())} – ${dateTime(to.toISOString())}. Drag on a chart to zoom; double-click to reset.`;
      chartsEl.dataset.loaded = 'true';
    } catch (e) {
      if (!quiet)
        replace(
          chartsEl,
          failure(e, () => (replace(chartsEl, charts.el), void reload())),
        );
    }
    if (!quiet)
      void section(
        logsEl,
        'error logs',
        () => api.logs({ server_id: id, from: from.toISOString(), to: to.toISOString(), limit: 50 }),
        (p) => logsView(p.items),
      );
  }

  const timer = window.setInterval(() => {
    const r = RANGES.find((x) => x.key === rangeKey);
    if (!live.checked || document.hidden || !r || r.refreshMs === 0) return;
    const now = Date.now();
    if (now - lastLive >= r.refreshMs) {
      lastLive = now;
      void reload(true);
    }
  }, 5000);
  let lastLive = Date.now();
  signal.addEventListener('abort', () => {
    window.clearInterval(timer);
    charts.destroy();
  });

  api.server(id).then(
    (s) => replace(head, header(s)),
    (e: unknown) => replace(head, h('h1', {}, `Server ${id}`), failure(e)),
  );
  await reload();
}
