// The rollup column layout, built once from the metric list. Every identifier in rollup SQL
// comes from here (constants), never from input.
import { METRIC_COLUMNS, type MetricColumn } from '../core/types.ts';

export const METRICS = METRIC_COLUMNS;
export type Metric = MetricColumn;
/** Metrics whose rollups also keep an exact per-bucket p95. */
export const P95_METRICS = ['cpu_usage', 'memory_usage'] as const satisfies readonly Metric[];
export const hasP95 = (m: Metric): boolean => (P95_METRICS as readonly string[]).includes(m);

const BIGINT_METRICS: readonly Metric[] = ['network_in_bytes', 'network_out_bytes'];
const sumType = (m: Metric) => (BIGINT_METRICS.includes(m) ? 'bigint' : 'double precision');

/** Every aggregate column of metrics_hourly / metrics_daily, in table order. */
export const AGG_COLUMNS: string[] = [
  'samples',
  'up_slots',
  'first_ts',
  'last_ts',
  ...METRICS.flatMap((m) => [`${m}_min`, `${m}_max`, `${m}_sum`, `${m}_count`]),
  ...P95_METRICS.map((m) => `${m}_p95`),
];

/** SELECT list that aggregates raw server_metrics rows (alias m) into one rollup row. */
export const RAW_AGGREGATES: string[] = [
  'count(*)::int',
  // availability: 5-minute slots (from the epoch) with at least one sample
  `count(DISTINCT date_bin('5 minutes', m.ts, timestamptz 'epoch'))::int`,
  'min(m.ts)',
  'max(m.ts)',
  ...METRICS.flatMap((m) => [
    `min(m.${m})`,
    `max(m.${m})`,
    `sum(m.${m})::${sumType(m)}`,
    `count(m.${m})::int`,
  ]),
  ...P95_METRICS.map((m) => `(percentile_cont(0.95) WITHIN GROUP (ORDER BY m.${m}))::real`),
];

/** SELECT list that merges rollup rows (alias h) into one coarser row; p95 left to the caller. */
export const MERGE_AGGREGATES: string[] = [
  'sum(h.samples)::int',
  'sum(h.up_slots)::int',
  'min(h.first_ts)',
  'max(h.last_ts)',
  ...METRICS.flatMap((m) => [
    `min(h.${m}_min)`,
    `max(h.${m}_max)`,
    `sum(h.${m}_sum)::${sumType(m)}`,
    `sum(h.${m}_count)::int`,
  ]),
];

/** Sample-weighted mean of bucket p95s: the documented approximation for multi-bucket p95. */
export const mergedP95 = (m: Metric, alias = 'h'): string =>
  `(sum(${alias}.${m}_p95 * ${alias}.${m}_count) / nullif(sum(${alias}.${m}_count) FILTER (WHERE ${alias}.${m}_p95 IS NOT NULL), 0))`;

export const UPSERT_SET = AGG_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
