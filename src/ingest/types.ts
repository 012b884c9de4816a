// What every ingest format is turned into before validation and writing.
//
// Timestamps travel as integer microseconds since the Unix epoch (`tsUs`): PostgreSQL's
// timestamptz has microsecond resolution, and a JavaScript number holds integer microseconds
// exactly until the year 2255, so nothing between the parser and COPY rounds a timestamp.
// Finer input (line protocol nanoseconds) is truncated to the microsecond PostgreSQL can store.
import { METRIC_COLUMNS, type MetricColumn } from '../core/types.ts';

/** The host a row belongs to, as the source names it; registered on first sight. */
export interface HostRef {
  hostname: string;
  region?: string;
  environment?: string;
  labels?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** One server_metrics row. A null column means "not measured by this source", not zero. */
export type MetricValues = { [K in MetricColumn]: number | null };

export interface MetricRow extends MetricValues {
  host: HostRef;
  tsUs: number;
}

/** One error_logs row; severity is syslog's 0 (emergency) .. 7 (debug). */
export interface LogRow {
  host: HostRef;
  tsUs: number;
  severity: number;
  source: string;
  message: string;
  context: Record<string, unknown>;
}

/** One sample of any other metric (metric_series + metric_samples). */
export interface SeriesRow {
  /** The host it belongs to, when the source ties it to one. */
  host: HostRef | null;
  name: string;
  labels: Record<string, string>;
  tsUs: number;
  value: number;
}

/** Why one input row was refused: its position in the request, the field, the reason. */
export interface RowError {
  index: number;
  field: string;
  reason: string;
}

/**
 * Accepted metric rows held as columns instead of objects (the JSON fast path writes them so):
 * row i belongs to hosts[host[i]]; tsUs and values are laid out as in MetricBlock, NaN for null.
 * The service turns them into a MetricBlock by swapping host indexes for server ids.
 */
export interface MetricColumns {
  length: number;
  hosts: HostRef[];
  host: Uint32Array;
  tsUs: Float64Array;
  values: Float64Array;
}

export interface ParseResult {
  /** Accepted server_metrics rows; a parser may hold them in `columns` instead (metricRowsOf). */
  metrics: MetricRow[];
  columns?: MetricColumns;
  logs: LogRow[];
  series: SeriesRow[];
  errors: RowError[];
  /** How many input rows (lines, entries, samples) the body held, accepted or not. */
  total: number;
}

/** Checks that depend on the request's context rather than the row. */
export interface IngestLimits {
  /** "now" for the timestamp window, from the injected clock. */
  nowMs: number;
  /** Oldest accepted timestamp, relative to now. */
  maxPastMs: number;
  /** Newest accepted timestamp, relative to now (clock skew allowance). */
  maxFutureMs: number;
  /** Largest number of rows in one request. */
  maxRows: number;
}

export const DEFAULT_LIMITS: Omit<IngestLimits, 'nowMs'> = {
  maxPastMs: 7 * 86_400_000,
  maxFutureMs: 10 * 60_000,
  maxRows: 100_000,
};

export const limitsAt = (nowMs: number, overrides: Partial<IngestLimits> = {}): IngestLimits => ({
  ...DEFAULT_LIMITS,
  nowMs,
  ...overrides,
});

/** The accepted metric rows as objects, wherever the parser put them. */
export function metricRowsOf(result: ParseResult): MetricRow[] {
  const c = result.columns;
  if (!c) return result.metrics;
  const rows: MetricRow[] = [];
  for (let i = 0; i < c.length; i++) {
    const host = c.hosts[c.host[i] as number] as HostRef;
    rows.push({ host, tsUs: c.tsUs[i] as number, ...valuesAt(c.values, i * METRIC_COLUMNS.length) });
  }
  return [...result.metrics, ...rows];
}

/** The metric values of one row of row-major columns starting at `at` (NaN is null). */
export function valuesAt(values: Float64Array, at: number): MetricValues {
  const out = {} as MetricValues;
  METRIC_COLUMNS.forEach((col, k) => {
    const v = values[at + k] as number;
    out[col] = v === v ? v : null;
  });
  return out;
}

export const emptyResult = (): ParseResult => ({ metrics: [], logs: [], series: [], errors: [], total: 0 });

export const emptyValues = (): MetricValues => ({
  cpu_usage: null,
  memory_usage: null,
  disk_usage: null,
  network_in_bytes: null,
  network_out_bytes: null,
  load_1: null,
  load_5: null,
  load_15: null,
});
