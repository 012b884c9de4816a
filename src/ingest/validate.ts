// Row checks shared by every format. They mirror the database's own constraints (servers,
// server_metrics, metric_series, error_logs) so a bad row is refused with a reason that names
// its field, instead of failing a whole COPY; the database still enforces the same rules.
import { METRIC_COLUMNS } from '../core/types.ts';
import type { HostRef, IngestLimits, LogRow, MetricRow, RowError, SeriesRow } from './types.ts';

export const HOSTNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
export const REGION_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const SERIES_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const LABEL_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 1024;
// jsonb is a little larger than its JSON text; these leave room under the 4 KiB / 16 KiB CHECKs.
const MAX_LABELS_JSON = 3000;
const MAX_CONTEXT_JSON = 12_000;
const MAX_CONTEXT_DEPTH = 8;
export const MAX_MESSAGE = 16_384;
export const MAX_SOURCE = 255;
const MAX_LOAD = 1e6;

type Check = (index: number) => RowError | null;
const err = (index: number, field: string, reason: string): RowError => ({ index, field, reason });

/** Text PostgreSQL can store: no NUL (text refuses it) and no lone surrogate (jsonb refuses it). */
export function storableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkTimestamp(
  tsUs: number,
  limits: IngestLimits,
  index: number,
  field = 'ts',
): RowError | null {
  if (!Number.isSafeInteger(tsUs)) return err(index, field, 'not a valid timestamp');
  const ms = tsUs / 1000;
  if (ms < limits.nowMs - limits.maxPastMs) {
    return err(index, field, `older than the accepted window (${Math.round(limits.maxPastMs / 1000)}s)`);
  }
  if (ms > limits.nowMs + limits.maxFutureMs) {
    return err(index, field, `more than ${Math.round(limits.maxFutureMs / 1000)}s in the future`);
  }
  return null;
}

export function checkLabels(
  labels: Record<string, string>,
  index: number,
  field = 'labels',
): RowError | null {
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS) return err(index, field, `more than ${MAX_LABELS} labels`);
  for (const k of keys) {
    const v = labels[k];
    if (!LABEL_KEY_RE.test(k))
      return err(index, `${field}.${k.slice(0, 64)}`, 'label name must match [A-Za-z_][A-Za-z0-9_.-]*');
    if (typeof v !== 'string') return err(index, `${field}.${k}`, 'label value must be a string');
    if (v.length > MAX_LABEL_VALUE)
      return err(index, `${field}.${k}`, `label value longer than ${MAX_LABEL_VALUE}`);
    if (!storableText(v)) return err(index, `${field}.${k}`, 'label value has a NUL or invalid Unicode');
  }
  if (JSON.stringify(labels).length > MAX_LABELS_JSON) return err(index, field, 'labels too large');
  return null;
}

// Hosts already found valid: a request with 5,000 rows of 1,000 hosts checks each host once.
const validHosts = new WeakSet<HostRef>();

export function checkHost(host: HostRef, index: number): RowError | null {
  if (validHosts.has(host)) return null;
  if (typeof host.hostname !== 'string' || !HOSTNAME_RE.test(host.hostname)) {
    return err(index, 'hostname', 'must be 1-253 characters of letters, digits, ".", "_" or "-"');
  }
  if (host.region !== undefined && !REGION_RE.test(host.region)) {
    return err(index, 'region', 'must be lowercase letters, digits, "_" or "-" (at most 63)');
  }
  if (host.environment !== undefined && !REGION_RE.test(host.environment)) {
    return err(index, 'environment', 'must be lowercase letters, digits, "_" or "-" (at most 63)');
  }
  if (host.labels !== undefined) {
    const bad = checkLabels(host.labels, index);
    if (bad) return bad;
  }
  if (host.metadata !== undefined) {
    const bad = checkContext(host.metadata, index, 'metadata');
    if (bad) return bad;
  }
  validHosts.add(host);
  return null;
}

function checkValue(col: (typeof METRIC_COLUMNS)[number], v: number, index: number): RowError | null {
  if (!Number.isFinite(v)) return err(index, col, 'must be a finite number');
  if (col === 'network_in_bytes' || col === 'network_out_bytes') {
    if (!Number.isSafeInteger(v) || v < 0) return err(index, col, 'must be a whole number of bytes >= 0');
  } else if (col.startsWith('load_')) {
    if (v < 0 || v >= MAX_LOAD) return err(index, col, 'must be >= 0 and < 1e6');
  } else if (v < 0 || v > 100) {
    return err(index, col, 'must be a percentage from 0 to 100');
  }
  return null;
}

export function checkMetric(row: MetricRow, limits: IngestLimits, index: number): RowError | null {
  const host = checkHost(row.host, index);
  if (host) return host;
  const ts = checkTimestamp(row.tsUs, limits, index);
  if (ts) return ts;
  let any = false;
  for (const col of METRIC_COLUMNS) {
    const v = row[col];
    if (v === null) continue;
    any = true;
    const bad = checkValue(col, v, index);
    if (bad) return bad;
  }
  return any ? null : err(index, 'values', 'row has no metric values');
}

/** Objects only, bounded depth and size, storable strings: what the jsonb CHECKs accept. */
export function checkContext(ctx: unknown, index: number, field = 'context'): RowError | null {
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx))
    return err(index, field, 'must be an object');
  // Iterative walk: a deeply nested body must not exhaust the stack.
  const stack: [unknown, number][] = [[ctx, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (++nodes > 2000) return err(index, field, 'too many values');
    if (typeof node === 'string') {
      if (!storableText(node)) return err(index, field, 'has a NUL or invalid Unicode');
    } else if (typeof node === 'number') {
      if (!Number.isFinite(node)) return err(index, field, 'has a non-finite number');
    } else if (typeof node === 'object' && node !== null) {
      if (depth > MAX_CONTEXT_DEPTH) return err(index, field, `nested deeper than ${MAX_CONTEXT_DEPTH}`);
      const entries = Array.isArray(node) ? node : Object.entries(node).flat();
      for (const child of entries) stack.push([child, depth + 1]);
    } else if (typeof node !== 'boolean' && node !== null) {
      return err(index, field, 'has a value JSON cannot hold');
    }
  }
  if (JSON.stringify(ctx).length > MAX_CONTEXT_JSON) return err(index, field, 'too large');
  return null;
}

export function checkLog(row: LogRow, limits: IngestLimits, index: number): RowError | null {
  const checks: Check[] = [
    (i) => checkHost(row.host, i),
    (i) => checkTimestamp(row.tsUs, limits, i),
    (i) =>
      Number.isInteger(row.severity) && row.severity >= 0 && row.severity <= 7
        ? null
        : err(i, 'severity', 'must be 0 (emergency) to 7 (debug)'),
    (i) => (row.source.length <= MAX_SOURCE ? null : err(i, 'source', `longer than ${MAX_SOURCE}`)),
    (i) => (storableText(row.source) ? null : err(i, 'source', 'has a NUL or invalid Unicode')),
    (i) => (row.message.length >= 1 ? null : err(i, 'message', 'must not be empty')),
    (i) => (row.message.length <= MAX_MESSAGE ? null : err(i, 'message', `longer than ${MAX_MESSAGE}`)),
    (i) => (storableText(row.message) ? null : err(i, 'message', 'has a NUL or invalid Unicode')),
    (i) => checkContext(row.context, i),
  ];
  for (const c of checks) {
    const bad = c(index);
    if (bad) return bad;
  }
  return null;
}

export function checkSeries(row: SeriesRow, limits: IngestLimits, index: number): RowError | null {
  if (row.host) {
    const bad = checkHost(row.host, index);
    if (bad) return bad;
  }
  if (!SERIES_NAME_RE.test(row.name))
    return err(index, 'name', 'metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*');
  const labels = checkLabels(row.labels, index);
  if (labels) return labels;
  const ts = checkTimestamp(row.tsUs, limits, index);
  if (ts) return ts;
  return Number.isFinite(row.value) ? null : err(index, 'value', 'must be a finite number');
}

/** Keeps the rows that pass `check`, and records a reason for each one that does not. */
export function keepValid<T>(
  rows: { row: T; index: number }[],
  check: (row: T, index: number) => RowError | null,
  errors: RowError[],
): T[] {
  const kept: T[] = [];
  for (const { row, index } of rows) {
    const bad = check(row, index);
    if (bad) errors.push(bad);
    else kept.push(row);
  }
  return kept;
}
