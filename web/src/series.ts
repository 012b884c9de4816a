// Turns the series API's points ({ts, samples, cpu_usage: {avg, min, max, p95}, …}) into uPlot's
// aligned columns: x in epoch seconds, one array of bucket averages per metric.
import type { SeriesResponse, Stat } from './types.ts';

export interface Columns {
  ts: number[];
  samples: number[];
  values: Record<string, (number | null)[]>;
}

export function toColumns(res: SeriesResponse, metrics: string[]): Columns {
  const pts = res.points;
  const values: Record<string, (number | null)[]> = {};
  for (const m of metrics) values[m] = pts.map((p) => (p[m] as Stat | undefined)?.avg ?? null);
  return {
    ts: pts.map((p) => new Date(p.ts).getTime() / 1000),
    samples: pts.map((p) => p.samples),
    values,
  };
}

/**
 * Network columns hold bytes per sample interval; avg × samples is the bucket's total. Divided
 * by the time it covers — the step, or the gap since the previous bucket when samples are
 * sparser than the step (older history every 10 minutes under a 1-minute step) — it is bytes
 * per second whatever the resolution.
 */
export function perSecond(
  col: (number | null)[],
  samples: number[],
  ts: number[],
  stepSeconds: number,
): (number | null)[] {
  return col.map((v, i) => {
    const gap = i > 0 ? (ts[i] ?? 0) - (ts[i - 1] ?? 0) : stepSeconds;
    const span = Math.max(stepSeconds, (samples[i] ?? 0) <= 1 ? gap : stepSeconds);
    return v === null || span <= 0 ? null : (v * (samples[i] ?? 0)) / span;
  });
}

export interface Range {
  key: string;
  label: string;
  seconds: number;
  /** Live refresh period on short ranges (ms); 0 = none. */
  refreshMs: number;
}

export const RANGES: Range[] = [
  { key: '1h', label: '1h', seconds: 3600, refreshMs: 10_000 },
  { key: '6h', label: '6h', seconds: 6 * 3600, refreshMs: 30_000 },
  { key: '24h', label: '24h', seconds: 86_400, refreshMs: 60_000 },
  { key: '7d', label: '7d', seconds: 7 * 86_400, refreshMs: 0 },
  { key: '30d', label: '30d', seconds: 30 * 86_400, refreshMs: 0 },
];

/**
 * A step giving at most ~`points` buckets. Beyond two days it is a whole number of hours, so the
 * API answers from the hourly rollup instead of scanning raw samples.
 */
export function stepFor(seconds: number, points = 500): number {
  const raw = Math.ceil(seconds / points);
  const min = seconds > 2 * 86_400 ? 3600 : 0;
  for (const s of [10, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400])
    if (s >= raw && s >= min) return s;
  return 86_400;
}
