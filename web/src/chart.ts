// A time-series chart on uPlot: drag across it to zoom (the page then fetches that window at a
// finer step), double-click to return, alert periods shaded and anomalies marked as lines.
// Colours come from the theme's CSS variables and follow a theme switch.
import uPlot from 'uplot';
import { h } from './dom.ts';
import { bytes, num, pct } from './format.ts';
import { cssVar } from './theme.ts';

export type Unit = 'pct' | 'bytes/s' | 'num';
export interface ChartSpec {
  title: string;
  unit: Unit;
  series: { key: string; label: string; color: string }[];
}
export interface Markers {
  /** Alert periods in epoch seconds; `to` null while firing. */
  alerts: { from: number; to: number | null; label: string }[];
  anomalies: { ts: number; label: string }[];
}
export interface Chart {
  el: HTMLElement;
  update(data: uPlot.AlignedData, markers: Markers): void;
  destroy(): void;
}

const fmt = (unit: Unit) => (v: number | null) =>
  v === null ? '–' : unit === 'pct' ? pct(v) : unit === 'bytes/s' ? `${bytes(v)}/s` : num(v);

function markersPlugin(get: () => Markers): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const { ctx } = u;
        const { top, height, left, width } = u.bbox;
        const m = get();
        ctx.save();
        ctx.fillStyle = cssVar('--alert-band') || 'rgba(220,38,38,.12)';
        for (const a of m.alerts) {
          const x0 = Math.max(left, u.valToPos(a.from, 'x', true));
          const x1 = Math.min(left + width, u.valToPos(a.to ?? u.scales.x?.max ?? a.from, 'x', true));
          if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, height);
        }
        ctx.restore();
      },
      draw: (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.strokeStyle = cssVar('--anomaly') || '#a855f7';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        for (const a of get().anomalies) {
          const x = Math.round(u.valToPos(a.ts, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export function createChart(
  spec: ChartSpec,
  onZoom: (fromSec: number, toSec: number) => void,
  onReset: () => void,
): Chart {
  let markers: Markers = { alerts: [], anomalies: [] };
  const plotEl = h('div', { class: 'plot' });
  const el = h(
    'figure',
    {
      class: 'chart',
      role: 'group',
      'aria-label': `${spec.title} chart; drag to zoom, double-click to reset`,
    },
    h('figcaption', {}, spec.title),
    plotEl,
  );
  let plot: uPlot | null = null;
  const format = fmt(spec.unit);
  const opts = (width: number): uPlot.Options => ({
    width,
    height: 200,
    cursor: { sync: { key: 'vigil-server' }, drag: { x: true, y: false, setScale: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: spec.unit === 'pct' ? { range: [0, 100] } : { auto: true } },
    axes: [
      { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') } },
      {
        stroke: cssVar('--muted'),
        grid: { stroke: cssVar('--grid') },
        ticks: { stroke: cssVar('--grid') },
        size: 70,
        values: (_u, vals) => vals.map((v) => format(v)),
      },
    ],
    series: [
      {},
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: cssVar(s.color) || s.color,
        width: 1.5,
        value: (_u: uPlot, v: number | null) => format(v),
        spanGaps: false,
      })),
    ],
    hooks: {
      setSelect: [
        (u: uPlot) => {
          if (u.select.width < 5) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onZoom(Math.floor(from), Math.ceil(to));
        },
      ],
    },
    plugins: [markersPlugin(() => markers)],
  });
  const observer = new ResizeObserver(() => {
    if (plot && plotEl.clientWidth > 0) plot.setSize({ width: plotEl.clientWidth, height: 200 });
  });
  const rebuild = () => {
    const data = plot?.data;
    plot?.destroy();
    plot = null;
    if (data) chart.update(data as uPlot.AlignedData, markers);
  };
  window.addEventListener('vigil-theme', rebuild);
  plotEl.addEventListener('dblclick', () => onReset());
  const chart: Chart = {
    el,
    update(data, m) {
      markers = m;
      if (!plot) {
        plot = new uPlot(opts(Math.max(plotEl.clientWidth, 300)), data, plotEl);
        observer.observe(plotEl);
      } else plot.setData(data);
      el.dataset.points = String(data[0].length);
    },
    destroy() {
      observer.disconnect();
      window.removeEventListener('vigil-theme', rebuild);
      plot?.destroy();
      plot = null;
    },
  };
  return chart;
}
