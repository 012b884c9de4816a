// Per-server series: picks raw, hourly or daily from the range and step (an explicit
// resolution overrides), and merges what the rollups do not have yet (the open bucket, and
// anything after the stage's last run) from finer tiers down to raw, so the newest point is
// never missing.
import type { Queryable } from '../db/pool.ts';
import {
  AGG_COLUMNS,
  hasP95,
  MERGE_AGGREGATES,
  type Metric,
  mergedP95,
  METRICS,
  RAW_AGGREGATES,
} from './columns.ts';
import { DAY_MS, HOUR_MS, invalid, type Range } from './params.ts';

export const RESOLUTIONS = ['auto', 'raw', 'hourly', 'daily'] as const;
export type Resolution = Exclude<(typeof RESOLUTIONS)[number], 'auto'>;

const NICE_STEPS = [10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800].map(
  (s) => s * 1000,
);

/** The step when none is given: the smallest "nice" step that gives at most ~500 points. */
export function defaultStep(range: Range): number {
  const span = range.to.getTime() - range.from.getTime();
  return NICE_STEPS.find((s) => span / s <= 500) ?? (NICE_STEPS.at(-1) as number);
}

/**
 * Auto: the coarsest rollup whose bucket divides the step (daily for whole days, hourly for
 * whole hours), raw otherwise. Explicit: the step must be a whole number of that bucket.
 */
export function chooseResolution(stepMs: number, requested: Resolution | 'auto'): Resolution {
  if (requested === 'auto') {
    if (stepMs % DAY_MS === 0) return 'daily';
    if (stepMs % HOUR_MS === 0) return 'hourly';
    return 'raw';
  }
  if (requested === 'hourly' && stepMs % HOUR_MS !== 0)
    throw invalid('step', 'must be a whole number of hours (1h, 3h …) for resolution=hourly');
  if (requested === 'daily' && stepMs % DAY_MS !== 0)
    throw invalid('step', 'must be a whole number of days (1d, 7d …) for resolution=daily');
  return requested;
}

export interface Tier {
  source: 'metrics_daily' | 'metrics_hourly' | 'raw';
  from: Date;
  to: Date;
}

const floorTo = (d: Date, ms: number) => new Date(Math.floor(d.getTime() / ms) * ms);

/**
 * Splits [from, to) into tiers: rollup rows for buckets the stage has closed by its as_of, then
 * the next finer tier, down to raw for the open hour. A stage that never ran contributes nothing.
 */
export function planTiers(
  range: Range,
  res: Resolution,
  hourlyAsOf: Date | null,
  dailyAsOf: Date | null,
): Tier[] {
  if (res === 'raw') return [{ source: 'raw', ...range }];
  const clamp = (d: Date) =>
    new Date(Math.min(Math.max(d.getTime(), range.from.getTime()), range.to.getTime()));
  const hourCut = clamp(hourlyAsOf ? floorTo(hourlyAsOf, HOUR_MS) : range.from);
  // Day-aligned and never past hourCut, so no bucket is counted by two tiers.
  const dayCut =
    res === 'daily'
      ? clamp(floorTo(new Date(Math.min((dailyAsOf ?? range.from).getTime(), hourCut.getTime())), DAY_MS))
      : range.from;
  const tiers: Tier[] = [
    { source: 'metrics_daily', from: range.from, to: dayCut },
    { source: 'metrics_hourly', from: dayCut, to: hourCut },
    { source: 'raw', from: hourCut, to: range.to },
  ];
  return tiers.filter((t) => t.to.getTime() > t.from.getTime());
}

export interface SeriesPoint {
  ts: Date;
  samples: number;
  [column: string]: unknown;
}

/**
 * The rollup columns a series of these metrics reads: samples and each metric's min, max, sum,
 * count (and p95 where kept). Only these are read and aggregated: a 30-day hourly series of two
 * metrics otherwise merged all 38 columns of 720 rows, most of its SQL time.
 */
export function seriesColumns(metrics: readonly Metric[]): string[] {
  const wanted = new Set([
    'samples',
    ...metrics.flatMap((m) => [`${m}_min`, `${m}_max`, `${m}_sum`, `${m}_count`, `${m}_p95`]),
  ]);
  return AGG_COLUMNS.filter((c) => wanted.has(c));
}

const rawAgg = (c: string) => `${RAW_AGGREGATES[AGG_COLUMNS.indexOf(c)]} AS ${c}`;
const mergeAgg = (c: string) => {
  const p95 = /^(.*)_p95$/.exec(c);
  return p95
    ? `${mergedP95(p95[1] as Metric)}::real AS ${c}`
    : `${MERGE_AGGREGATES[AGG_COLUMNS.indexOf(c)]} AS ${c}`;
};

/** SQL and parameters for a series (also used by `vigil explain`). */
export function seriesQuery(
  serverId: number,
  stepMs: number,
  res: Resolution,
  tiers: Tier[],
  metrics: readonly Metric[] = METRICS,
) {
  const values: unknown[] = [serverId, `${stepMs / 1000} seconds`];
  const param = (v: unknown) => `$${values.push(v)}`;
  const cols = seriesColumns(metrics);
  if (res === 'raw') {
    const t = tiers[0] as Tier;
    const text = `SELECT date_bin($2::interval, m.ts, timestamptz 'epoch') AS ts, ${cols.map(rawAgg).join(', ')}
        FROM vigil.server_metrics m
       WHERE m.server_id = $1 AND m.ts >= ${param(t.from)} AND m.ts < ${param(t.to)}
       GROUP BY 1 ORDER BY 1`;
    return { text, values };
  }
  const parts = tiers.map((t) => {
    if (t.source === 'raw')
      return `SELECT date_bin('1 hour', m.ts, timestamptz 'epoch') AS bucket, ${cols.map(rawAgg).join(', ')}
                FROM vigil.server_metrics m
               WHERE m.server_id = $1 AND m.ts >= ${param(t.from)} AND m.ts < ${param(t.to)}
               GROUP BY 1`;
    return `SELECT bucket, ${cols.join(', ')} FROM vigil.${t.source}
             WHERE server_id = $1 AND bucket >= ${param(t.from)} AND bucket < ${param(t.to)}`;
  });
  const text = `SELECT date_bin($2::interval, h.bucket, timestamptz 'epoch') AS ts, ${cols.map(mergeAgg).join(', ')}
     FROM (${parts.join('\n UNION ALL\n')}) h
    GROUP BY 1 ORDER BY 1`;
  return { text, values };
}

export async function querySeries(
  db: Queryable,
  serverId: number,
  stepMs: number,
  res: Resolution,
  tiers: Tier[],
  metrics: readonly Metric[],
): Promise<SeriesPoint[]> {
  if (tiers.length === 0) return [];
  const q = seriesQuery(serverId, stepMs, res, tiers, metrics);
  const { rows } = await db.query<SeriesPoint>(q.text, q.values);
  return rows;
}

export interface Stat {
  avg: number | null;
  min: number | null;
  max: number | null;
  p95?: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** One output point: per requested metric avg (sum / count), min, max and p95 where kept. */
export function shapePoint(row: SeriesPoint, metrics: readonly Metric[]) {
  const out: Record<string, unknown> = { ts: row.ts.toISOString(), samples: row.samples };
  for (const m of metrics) {
    const count = Number(row[`${m}_count`] ?? 0);
    const stat: Stat = {
      avg: count > 0 ? Number(row[`${m}_sum`]) / count : null,
      min: num(row[`${m}_min`]),
      max: num(row[`${m}_max`]),
    };
    if (hasP95(m)) stat.p95 = num(row[`${m}_p95`]);
    out[m] = stat;
  }
  return out;
}
