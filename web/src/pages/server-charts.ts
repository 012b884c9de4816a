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
  /** Draws the window; resolves to the server's host name (the series answer carries it). */
  load(from: Date, to: Date): Promise<string>;
  destroy(): void;
}

const sec = (iso: string) => new Date(iso).getTime() / 1000;

/** Alert episodes of the server overlapping the window (alerts are filtered by host name). */
async function alertMarkers(hostname: string, from: Date): Promise<Markers['alerts']> {
  const alerts = await api.alerts({ server: hostname, limit: 200 });
  return alerts
    .filter((a) => a.state !== 'pending' && (!a.resolved_at || sec(a.resolved_at) >= from.getTime() / 1000))
    .map((a) => ({
      from: sec(a.fired_at ?? a.started_at),
      to: a.resolved_at ? sec(a.resolved_at) : null,
      label: a.rule,
    }));
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
  let hostname: string | null = null;
  // Markers are extra: a chart still draws if the alert or anomaly API refuses or fails.
  const none = <T>(p: Promise<T[]>) => p.catch(() => [] as T[]);
  return {
    el: charts.map((c) => c.el),
    async load(from, to) {
      const step = stepFor((to.getTime() - from.getTime()) / 1000);
      const [res, anomalies, known] = await Promise.all([
        api.series(serverId, from, to, step, METRICS),
        none(
          api.anomalies({ server_id: serverId, from: from.toISOString(), to: to.toISOString(), limit: 200 }),
        ),
        hostname ? none(alertMarkers(hostname, from)) : Promise.resolve(null),
      ]);
      hostname = res.hostname;
      // The first load learns the host name from the series; its alert query follows it.
      const alerts = known ?? (await none(alertMarkers(hostname, from)));
      const markers: Markers = {
        alerts,
        anomalies: anomalies.map((a) => ({ ts: sec(a.ts), label: a.explanation || a.metrics.join(', ') })),
      };
      const cols = toColumns(res, METRICS);
      SPECS.forEach((spec, i) => {
        const ys = spec.series.map((s) => {
          const col = cols.values[s.key] ?? [];
          return spec.unit === 'bytes/s' ? perSecond(col, cols.samples, cols.ts, res.step_seconds) : col;
        });
        charts[i]?.update([cols.ts, ...ys] as uPlot.AlignedData, markers);
      });
      return res.hostname;
    },
    destroy() {
      for (const c of charts) c.destroy();
    },
  };
}
