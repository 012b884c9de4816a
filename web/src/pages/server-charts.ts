// The five charts of a server (cpu, memory, disk, network, load) for one time window, with the
// server's alerts shaded and its anomalies marked. One series request feeds all five.
import type uPlot from 'uplot';
import { api } from '../api.ts';
import { type Chart, type ChartSpec, type Markers, createChart } from '../chart.ts';
import { perSecond, stepFor, toColumns } from '../series.ts';

const SPECS: (ChartSpec & { id: string })[] = [
  { id: 'cpu', title: 'CPU', unit: 'pct', series: [{ key: 'cpu_usage', label: 'cpu %', color: '--c1' }] },
  {
    id: 'memory',
    title: 'Memory',
    unit: 'pct',
    series: [{ key: 'memory_usage', label: 'memory %', color: '--c2' }],
  },
  { id: 'disk', title: 'Disk', unit: 'pct', series: [{ key: 'disk_usage', label: 'disk %', color: '--c3' }] },
  {
    id: 'network',
    title: 'Network',
    unit: 'bytes/s',
    series: [
      { key: 'network_in_bytes', label: 'in', color: '--c1' },
      { key: 'network_out_bytes', label: 'out', color: '--c4' },
    ],
  },
  {
    id: 'load',
    title: 'Load average',
    unit: 'num',
    series: [
      { key: 'load_1', label: '1m', color: '--c1' },
      { key: 'load_5', label: '5m', color: '--c2' },
      { key: 'load_15', label: '15m', color: '--c3' },
    ],
  },
];
const METRICS = SPECS.flatMap((s) => s.series.map((x) => x.key));

export interface ServerCharts {
  el: HTMLElement[];
  load(from: Date, to: Date): Promise<void>;
  destroy(): void;
}

async function markersFor(serverId: number, from: Date, to: Date): Promise<Markers> {
  const sec = (iso: string) => new Date(iso).getTime() / 1000;
  // Markers are extra: a chart still draws if the alert or anomaly API is absent or refuses.
  const [alerts, anomalies] = await Promise.all([
    api.alerts({ server_id: serverId, from: from.toISOString(), limit: 200 }).catch(() => ({ items: [] })),
    api
      .anomalies({ server_id: serverId, from: from.toISOString(), to: to.toISOString(), limit: 200 })
      .catch(() => ({ items: [] })),
  ]);
  return {
    alerts: alerts.items
      .filter((a) => a.state !== 'pending')
      .map((a) => ({
        from: sec(a.fired_at ?? a.started_at),
        to: a.resolved_at ? sec(a.resolved_at) : null,
        label: a.rule_name ?? `alert ${a.id}`,
      })),
    anomalies: anomalies.items.map((a) => ({ ts: sec(a.ts), label: a.explanation ?? a.metrics.join(', ') })),
  };
}

export function serverCharts(
  serverId: number,
  onZoom: (from: Date, to: Date) => void,
  onReset: () => void,
): ServerCharts {
  const charts: Chart[] = SPECS.map((spec) => {
    const c = createChart(spec, (f, t) => onZoom(new Date(f * 1000), new Date(t * 1000)), onReset);
    c.el.dataset.chart = spec.id;
    return c;
  });
  return {
    el: charts.map((c) => c.el),
    async load(from, to) {
      const step = stepFor((to.getTime() - from.getTime()) / 1000);
      const [res, markers] = await Promise.all([
        api.series(serverId, from, to, step),
        markersFor(serverId, from, to),
      ]);
      const cols = toColumns(res, METRICS);
      const stepSeconds = typeof res.step_seconds === 'number' ? res.step_seconds : undefined;
      SPECS.forEach((spec, i) => {
        const ys = spec.series.map((s) => {
          const col = cols.values[s.key] ?? [];
          return spec.unit === 'bytes/s' ? perSecond(col, cols.ts, stepSeconds) : col;
        });
        charts[i]?.update([cols.ts, ...ys] as uPlot.AlignedData, markers);
      });
    },
    destroy() {
      for (const c of charts) c.destroy();
    },
  };
}
