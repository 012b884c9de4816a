// Vigil's own JSON batches: metric rows (server_metrics columns, plus optional extra series)
// and error-log entries. Rows inherit hostname/region/labels from the batch, so an agent names
// its host once. Unknown fields are refused: a typo ("cpu") must not vanish silently.
import { METRIC_COLUMNS, isObject } from '../../core/types.ts';
import { parseJsonTs } from '../time.ts';
import {
  type HostRef,
  type IngestLimits,
  type LogRow,
  type MetricRow,
  type ParseResult,
  type RowError,
  type SeriesRow,
  emptyResult,
} from '../types.ts';
import { checkLog, checkMetric, checkSeries } from '../validate.ts';
import { scanJsonMetrics } from './json-fast.ts';

type Obj = Record<string, unknown>;
const HOST_KEYS = ['hostname', 'region', 'environment', 'labels', 'metadata'];
const METRIC_KEYS = new Set<string>([...HOST_KEYS, 'ts', ...METRIC_COLUMNS]);
const SERIES_KEYS = new Set<string>([...HOST_KEYS, 'ts', 'name', 'value']);
const LOG_KEYS = new Set<string>([...HOST_KEYS, 'ts', 'severity', 'source', 'message', 'context']);

export const SEVERITY_NAMES: Record<string, number> = {
  emerg: 0, emergency: 0, panic: 0, alert: 1, crit: 2, critical: 2, fatal: 2, err: 3, error: 3,
  warning: 4, warn: 4, notice: 5, info: 6, informational: 6, debug: 7, trace: 7,
}; // prettier-ignore

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes or text to a JSON value, or a reason. Parsed bodies (from fastify) pass through. */
export function decodeJson(body: unknown): { value: unknown } | { reason: string } {
  if (!(body instanceof Uint8Array) && typeof body !== 'string') return { value: body };
  let text: string;
  try {
    text = typeof body === 'string' ? body : decoder.decode(body);
  } catch {
    return { reason: 'body is not valid UTF-8' };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { reason: `body is not valid JSON: ${(e as Error).message.slice(0, 200)}` };
  }
}

function bodyError(result: ParseResult, reason: string): ParseResult {
  result.errors.push({ index: -1, field: 'body', reason });
  return result;
}

/** Reads the host fields of `o` over `base`; a string is the failing field's reason. */
function readHost(o: Obj, base: HostRef | null): HostRef | RowError {
  const host: HostRef = base ? { ...base } : { hostname: '' };
  for (const key of ['hostname', 'region', 'environment'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return { index: 0, field: key, reason: 'must be a string' };
    host[key] = v;
  }
  if (o.labels !== undefined) {
    if (!isObject(o.labels)) return { index: 0, field: 'labels', reason: 'must be an object of strings' };
    host.labels = { ...host.labels, ...(o.labels as Record<string, string>) };
  }
  if (o.metadata !== undefined) {
    if (!isObject(o.metadata)) return { index: 0, field: 'metadata', reason: 'must be an object' };
    host.metadata = o.metadata;
  }
  if (host.hostname === '') return { index: 0, field: 'hostname', reason: 'missing' };
  return host;
}

interface Batch {
  items: unknown[];
  host: HostRef | null;
  series: unknown[];
}

function readBatch(value: unknown, key: 'rows' | 'entries', result: ParseResult): Batch | null {
  if (Array.isArray(value)) return { items: value, host: null, series: [] };
  if (!isObject(value)) return bodyError(result, `expected an array or an object with "${key}"`) && null;
  const items = value[key];
  if (!Array.isArray(items)) return bodyError(result, `"${key}" must be an array`) && null;
  const series = value.series ?? [];
  if (!Array.isArray(series)) return bodyError(result, '"series" must be an array') && null;
  let host: HostRef | null = null;
  if (value.hostname !== undefined) {
    const h = readHost(value, null);
    if ('reason' in h) return bodyError(result, `batch ${h.field}: ${h.reason}`) && null;
    host = h;
  }
  return { items, host, series };
}

function unknownKey(o: Obj, allowed: Set<string>): string | undefined {
  for (const k in o) if (!allowed.has(k)) return k;
  return undefined;
}

/** Rows that name only a hostname share one HostRef per request: fewer objects, one check each. */
type HostCache = Map<string, HostRef>;

function hostOf(o: Obj, base: HostRef | null, cache: HostCache): HostRef | RowError {
  const h = o.hostname;
  if (
    typeof h === 'string' &&
    o.region === undefined &&
    o.environment === undefined &&
    o.labels === undefined &&
    o.metadata === undefined
  ) {
    let host = cache.get(h);
    if (!host) cache.set(h, (host = base ? { ...base, hostname: h } : { hostname: h }));
    return host;
  }
  if (h === undefined && base) return base;
  return readHost(o, base);
}

function common(
  o: unknown,
  allowed: Set<string>,
  base: HostRef | null,
  index: number,
  cache: HostCache,
): RowError | { o: Obj; host: HostRef; tsUs: number } {
  if (!isObject(o)) return { index, field: 'row', reason: 'must be an object' } satisfies RowError;
  const extra = unknownKey(o, allowed);
  if (extra !== undefined)
    return { index, field: extra.slice(0, 64), reason: 'unknown field' } satisfies RowError;
  const host = hostOf(o, base, cache);
  if ('reason' in host) return { ...host, index };
  const tsUs = parseJsonTs(o.ts);
  if (tsUs === null)
    return { index, field: 'ts', reason: 'must be an RFC 3339 string or epoch milliseconds' };
  return { o, host, tsUs };
}

const numOrNull = (v: unknown): number | null | undefined =>
  v === undefined || v === null ? null : typeof v === 'number' ? v : undefined;

function metricRow(
  raw: unknown,
  base: HostRef | null,
  limits: IngestLimits,
  index: number,
  cache: HostCache,
): MetricRow | RowError {
  const c = common(raw, METRIC_KEYS, base, index, cache);
  if ('reason' in c) return c;
  const o = c.o;
  // One object literal with every column: the shape V8 sees for every row (this is the hot path).
  const row: MetricRow = {
    host: c.host,
    tsUs: c.tsUs,
    cpu_usage: numOrNull(o.cpu_usage) as number | null,
    memory_usage: numOrNull(o.memory_usage) as number | null,
    disk_usage: numOrNull(o.disk_usage) as number | null,
    network_in_bytes: numOrNull(o.network_in_bytes) as number | null,
    network_out_bytes: numOrNull(o.network_out_bytes) as number | null,
    load_1: numOrNull(o.load_1) as number | null,
    load_5: numOrNull(o.load_5) as number | null,
    load_15: numOrNull(o.load_15) as number | null,
  };
  for (const col of METRIC_COLUMNS) {
    if (row[col] === undefined) return { index, field: col, reason: 'must be a number or null' };
  }
  return checkMetric(row, limits, index) ?? row;
}

function seriesRow(
  raw: unknown,
  base: HostRef | null,
  limits: IngestLimits,
  index: number,
): SeriesRow | RowError {
  const c = common(raw, SERIES_KEYS, base, index, new Map());
  if ('reason' in c) return { ...c, field: `series.${c.field}` };
  const { name, value } = c.o;
  if (typeof name !== 'string') return { index, field: 'series.name', reason: 'must be a string' };
  if (typeof value !== 'number') return { index, field: 'series.value', reason: 'must be a number' };
  // A series entry's own labels name the series; the host keeps the batch's labels.
  const host: HostRef = { ...c.host, labels: base?.labels };
  if (host.labels === undefined) delete host.labels;
  const labels = (isObject(c.o.labels) ? c.o.labels : {}) as Record<string, string>;
  const row: SeriesRow = { host, name, labels, tsUs: c.tsUs, value };
  const bad = checkSeries(row, limits, index);
  return bad ? { ...bad, field: `series.${bad.field}` } : row;
}

export function parseJsonMetrics(body: unknown, limits: IngestLimits): ParseResult {
  return scanJsonMetrics(body, limits) ?? parseJsonMetricsSlow(body, limits);
}

/** The reference path: JSON.parse, then every row judged. json-fast.ts must agree with it. */
export function parseJsonMetricsSlow(body: unknown, limits: IngestLimits): ParseResult {
  const result = emptyResult();
  const decoded = decodeJson(body);
  if ('reason' in decoded) return bodyError(result, decoded.reason);
  const batch = readBatch(decoded.value, 'rows', result);
  if (!batch) return result;
  result.total = batch.items.length + batch.series.length;
  if (result.total > limits.maxRows)
    return bodyError(result, `more than ${limits.maxRows} rows in one request`);
  const cache: HostCache = new Map();
  batch.items.forEach((raw, i) => {
    const r = metricRow(raw, batch.host, limits, i, cache);
    if ('reason' in r) result.errors.push(r);
    else result.metrics.push(r);
  });
  batch.series.forEach((raw, i) => {
    const r = seriesRow(raw, batch.host, limits, i);
    if ('reason' in r) result.errors.push(r);
    else result.series.push(r);
  });
  return result;
}

function logRow(
  raw: unknown,
  base: HostRef | null,
  limits: IngestLimits,
  index: number,
  cache: HostCache,
): LogRow | RowError {
  const c = common(raw, LOG_KEYS, base, index, cache);
  if ('reason' in c) return c;
  const { severity, source = '', message, context = {} } = c.o;
  const sev = typeof severity === 'string' ? SEVERITY_NAMES[severity.toLowerCase()] : severity;
  if (typeof sev !== 'number')
    return { index, field: 'severity', reason: 'must be 0-7 or a syslog severity name' };
  if (typeof source !== 'string') return { index, field: 'source', reason: 'must be a string' };
  if (typeof message !== 'string') return { index, field: 'message', reason: 'must be a string' };
  const row: LogRow = { host: c.host, tsUs: c.tsUs, severity: sev, source, message, context: context as Obj };
  return checkLog(row, limits, index) ?? row;
}

export function parseJsonLogs(body: unknown, limits: IngestLimits): ParseResult {
  const result = emptyResult();
  const decoded = decodeJson(body);
  if ('reason' in decoded) return bodyError(result, decoded.reason);
  const batch = readBatch(decoded.value, 'entries', result);
  if (!batch) return result;
  result.total = batch.items.length;
  if (result.total > limits.maxRows)
    return bodyError(result, `more than ${limits.maxRows} entries in one request`);
  const cache: HostCache = new Map();
  batch.items.forEach((raw, i) => {
    const r = logRow(raw, batch.host, limits, i, cache);
    if ('reason' in r) result.errors.push(r);
    else result.logs.push(r);
  });
  return result;
}
