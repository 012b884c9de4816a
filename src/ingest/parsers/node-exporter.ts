// Prometheus series (from remote_write or a scrape) onto Vigil's tables. Every sample is kept in
// metric_series / metric_samples; node_exporter's series also fill server_metrics:
//   cpu_usage     busy share of node_cpu_seconds_total increases (idle and iowait count as idle)
//   memory_usage  100 * (1 - MemAvailable / MemTotal)
//   disk_usage    100 * (1 - avail / size) of the filesystem mounted at /
//   network_*     increases of node_network_{receive,transmit}_bytes_total, every device but lo
//   load_*        node_load1, node_load5, node_load15
// Rates need the previous observation of each counter, kept per host in a CounterState that
// lives as long as the process. The host is the `host` or `hostname` label, else the host part
// of `instance` (relabel `instance` to the hostname in Prometheus for readable names).
// NaN samples are Prometheus staleness markers (a series went away): they carry no value and
// are dropped; infinities are refused with a reason, as the database would refuse them.
import { RowAssembler } from '../assemble.ts';
import type { CounterState } from '../counters.ts';
import { type HostRef, type IngestLimits, type ParseResult, type SeriesRow, emptyResult } from '../types.ts';
import { checkSeries } from '../validate.ts';

export interface PromSample {
  value: number;
  tsMs: number;
}

export interface PromSeries {
  /** All labels, including __name__. */
  labels: Record<string, string>;
  samples: PromSample[];
}

/** The host a series belongs to, or null when nothing names one. */
export function hostOf(labels: Record<string, string>): HostRef | null {
  const named = labels.host ?? labels.hostname;
  let h = named;
  if (h === undefined && labels.instance !== undefined) {
    const inst = labels.instance;
    h = inst.startsWith('[') ? inst.slice(1, inst.indexOf(']')) : inst.replace(/:\d+$/, '');
  }
  if (h === undefined || h === '') return null;
  // Keep the name recognisable but storable (an IPv6 address has colons).
  return {
    hostname: h
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 253),
  };
}

function seriesLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== '__name__') out[k] = labels[k] as string;
  return out;
}

/** Gauges a node_exporter ratio needs from another series (MemTotal, filesystem size). */
function rememberTotals(series: PromSeries[], state: CounterState): void {
  for (const s of series) {
    const name = s.labels.__name__;
    const host = hostOf(s.labels);
    if (!host) continue;
    let key: string | null = null;
    if (name === 'node_memory_MemTotal_bytes') key = `${host.hostname}\u0000memtotal`;
    else if (name === 'node_filesystem_size_bytes' && s.labels.mountpoint === '/')
      key = `${host.hostname}\u0000fssize`;
    if (key === null) continue;
    for (const p of s.samples)
      if (Number.isFinite(p.value) && p.value > 0) state.remember(key, p.tsMs * 1000, p.value);
  }
}

function mapSample(
  a: RowAssembler,
  state: CounterState,
  s: PromSeries,
  host: HostRef,
  p: PromSample,
  i: number,
) {
  const l = s.labels;
  const tsUs = p.tsMs * 1000;
  const v = p.value;
  switch (l.__name__) {
    case 'node_cpu_seconds_total':
      a.cpuTime(host, tsUs, `cpu:${l.cpu}:${l.mode}`, v, l.mode === 'idle' || l.mode === 'iowait', i);
      break;
    case 'node_memory_MemAvailable_bytes': {
      const total = state.last(`${host.hostname}\u0000memtotal`);
      if (total) a.gauge(host, tsUs, 'memory_usage', clampPct(100 * (1 - v / total)), i);
      break;
    }
    case 'node_filesystem_avail_bytes': {
      const size = l.mountpoint === '/' ? state.last(`${host.hostname}\u0000fssize`) : undefined;
      if (size) a.gauge(host, tsUs, 'disk_usage', clampPct(100 * (1 - v / size)), i);
      break;
    }
    case 'node_network_receive_bytes_total':
    case 'node_network_transmit_bytes_total':
      if (l.device === 'lo') break;
      a.counter(
        host,
        tsUs,
        l.__name__ === 'node_network_receive_bytes_total' ? 'network_in_bytes' : 'network_out_bytes',
        `${l.__name__}:${l.device}`,
        v,
        i,
      );
      break;
    case 'node_load1':
      a.gauge(host, tsUs, 'load_1', v, i);
      break;
    case 'node_load5':
      a.gauge(host, tsUs, 'load_5', v, i);
      break;
    case 'node_load15':
      a.gauge(host, tsUs, 'load_15', v, i);
      break;
  }
}

const clampPct = (v: number) => Math.min(100, Math.max(0, v));

/** Series and server_metrics rows for a set of Prometheus series; `total` counts samples. */
export function mapPromSeries(
  series: PromSeries[],
  limits: IngestLimits,
  state: CounterState,
  result = emptyResult(),
): ParseResult {
  rememberTotals(series, state);
  const assembler = new RowAssembler(state);
  let index = 0;
  for (const s of series) {
    const host = hostOf(s.labels);
    const name = s.labels.__name__ ?? '';
    const labels = seriesLabels(s.labels);
    for (const p of s.samples) {
      const i = index++;
      if (Number.isNaN(p.value)) continue;
      const row: SeriesRow = { host, name, labels, tsUs: p.tsMs * 1000, value: p.value };
      const bad = checkSeries(row, limits, i);
      if (bad) {
        result.errors.push(bad);
        continue;
      }
      result.series.push(row);
      if (host) mapSample(assembler, state, s, host, p, i);
    }
  }
  result.total += index;
  assembler.finish(limits, result);
  return result;
}
