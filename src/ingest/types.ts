// What every ingest format is turned into before validation and writing.
//
// Timestamps travel as integer microseconds since the Unix epoch (`tsUs`): PostgreSQL's
// timestamptz has microsecond resolution, and a JavaScript number holds integer microseconds
// exactly until the year 2255, so nothing between the parser and COPY rounds a timestamp.
// Finer input (line protocol nanoseconds) is truncated to the microsecond PostgreSQL can store.
import type { MetricColumn } from '../core/types.ts';

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

export interface ParseResult {
  metrics: MetricRow[];
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
