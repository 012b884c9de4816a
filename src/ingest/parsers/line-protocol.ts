// InfluxDB line protocol as Telegraf sends it, onto Vigil's tables. The host is the `host` tag
// (Telegraf adds it) or `hostname`; `region` is the host's region. Telegraf's standard inputs map
// onto server_metrics columns:
//   cpu (cpu=cpu-total) usage_idle → cpu_usage = 100 - idle     mem used_percent → memory_usage
//   disk (path=/) used_percent → disk_usage                      system load1/5/15 → load_*
//   net bytes_recv / bytes_sent (cumulative, every interface but lo) → network_*_bytes deltas
//   measurement `vigil` with fields named like the columns → those columns as they are
// Every other numeric field is kept as the series <measurement>_<field> with the point's tags.
// Timestamps: integers in `precision` (ns default), exact as BigInt nanoseconds, truncated to
// the microsecond that PostgreSQL's timestamptz stores; a point without one gets "now".
import { isMetricColumn } from '../../core/types.ts';
import { RowAssembler } from '../assemble.ts';
import type { CounterState } from '../counters.ts';
import { nsToUs } from '../time.ts';
import { type HostRef, type IngestLimits, type ParseResult, emptyResult } from '../types.ts';
import { checkHost, checkSeries, checkTimestamp } from '../validate.ts';
import { type FieldValue, type Point, scanLines } from './line-protocol-scan.ts';

export const PRECISIONS: Record<string, bigint> = {
  ns: 1n, n: 1n, us: 1_000n, u: 1_000n, 'µs': 1_000n, ms: 1_000_000n,
  s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
}; // prettier-ignore

const HOST_TAGS = new Set(['host', 'hostname', 'region']);
const decoder = new TextDecoder('utf-8', { fatal: true });

function numeric(f: FieldValue): number | null {
  if (f.kind === 'float') return f.value;
  if (f.kind === 'int' || f.kind === 'uint') return Number(f.value);
  if (f.kind === 'bool') return f.value ? 1 : 0;
  return null;
}

/** Series name for an unmapped field: invalid characters become "_". */
export function seriesName(measurement: string, field: string): string {
  const name = `${measurement}_${field}`.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Puts a mapped field into the assembler; false when the field is not one of the mapped ones. */
function mapField(
  a: RowAssembler,
  p: Point,
  host: HostRef,
  tsUs: number,
  field: string,
  v: number,
  i: number,
): boolean {
  const t = p.tags;
  switch (p.measurement) {
    case 'vigil':
    case 'server_metrics':
      if (!isMetricColumn(field)) return false;
      a.gauge(host, tsUs, field, v, i);
      return true;
    case 'cpu':
      if (field !== 'usage_idle' || (t.cpu !== undefined && t.cpu !== 'cpu-total')) return false;
      a.gauge(host, tsUs, 'cpu_usage', Math.min(100, Math.max(0, 100 - v)), i);
      return true;
    case 'mem':
      if (field !== 'used_percent') return false;
      a.gauge(host, tsUs, 'memory_usage', v, i);
      return true;
    case 'disk':
      if (field !== 'used_percent' || t.path !== '/') return false;
      a.gauge(host, tsUs, 'disk_usage', v, i);
      return true;
    case 'system':
      if (field === 'load1') a.gauge(host, tsUs, 'load_1', v, i);
      else if (field === 'load5') a.gauge(host, tsUs, 'load_5', v, i);
      else if (field === 'load15') a.gauge(host, tsUs, 'load_15', v, i);
      else return false;
      return true;
    case 'net': {
      const iface = t.interface ?? '';
      if (iface === 'lo' || iface === 'all' || (field !== 'bytes_recv' && field !== 'bytes_sent'))
        return false;
      const column = field === 'bytes_recv' ? 'network_in_bytes' : 'network_out_bytes';
      a.counter(host, tsUs, column, `net:${iface}:${field}`, v, i);
      return true;
    }
    default:
      return false;
  }
}

export interface LineProtocolOptions {
  precision?: string;
  state: CounterState;
}

export function parseLineProtocol(
  body: Uint8Array | string,
  limits: IngestLimits,
  opts: LineProtocolOptions,
): ParseResult {
  const result = emptyResult();
  const unit = PRECISIONS[opts.precision ?? 'ns'];
  if (unit === undefined) {
    result.errors.push({
      index: -1,
      field: 'precision',
      reason: 'must be one of ns, us, ms, s (or n, u, m, h)',
    });
    return result;
  }
  let text: string;
  try {
    text = typeof body === 'string' ? body : decoder.decode(body);
  } catch {
    result.errors.push({ index: -1, field: 'body', reason: 'body is not valid UTF-8' });
    return result;
  }
  const items = scanLines(text);
  result.total = items.length;
  if (items.length > limits.maxRows) {
    result.errors.push({
      index: -1,
      field: 'body',
      reason: `more than ${limits.maxRows} points in one request`,
    });
    return result;
  }
  const assembler = new RowAssembler(opts.state);
  const nowUs = Math.round(limits.nowMs * 1000);
  for (const item of items) {
    if ('error' in item) {
      result.errors.push({
        index: item.index,
        field: item.field,
        reason: `line ${item.line}: ${item.error}`,
      });
      continue;
    }
    const { point: p, index } = item;
    const hostname = p.tags.host ?? p.tags.hostname;
    if (hostname === undefined) {
      result.errors.push({
        index,
        field: 'tags.host',
        reason: `line ${item.line}: no host tag (Telegraf adds one)`,
      });
      continue;
    }
    const host: HostRef = p.tags.region === undefined ? { hostname } : { hostname, region: p.tags.region };
    const tsUs = p.timestamp === null ? nowUs : nsToUs(p.timestamp * unit);
    if (tsUs === null) {
      result.errors.push({ index, field: 'timestamp', reason: `line ${item.line}: timestamp out of range` });
      continue;
    }
    const bad = checkHost(host, index) ?? checkTimestamp(tsUs, limits, index, 'timestamp');
    if (bad) {
      result.errors.push({ ...bad, reason: `line ${item.line}: ${bad.reason}` });
      continue;
    }
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.tags)) if (!HOST_TAGS.has(k)) labels[k] = v;
    for (const [field, fv] of Object.entries(p.fields)) {
      const v = numeric(fv);
      if (v === null || mapField(assembler, p, host, tsUs, field, v, index)) continue;
      const row = { host, name: seriesName(p.measurement, field), labels, tsUs, value: v };
      const bad = checkSeries(row, limits, index);
      if (bad) {
        result.errors.push({ ...bad, reason: `line ${item.line}: ${bad.reason}` });
        break;
      }
      result.series.push(row);
    }
  }
  assembler.finish(limits, result);
  return result;
}
