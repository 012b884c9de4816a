// Turns the series API's answer (columnar arrays or a list of points, ts as epoch seconds,
// milliseconds or ISO) into uPlot's aligned columns: x in epoch seconds, one array per metric.
import type { SeriesResponse } from './types.ts';

export interface Columns {
  ts: number[];
  values: Record<string, (number | null)[]>;
}

function toSeconds(t: number | string): number {
  if (typeof t === 'number') return t > 1e11 ? t / 1000 : t;
  return new Date(t).getTime() / 1000;
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function toColumns(res: SeriesResponse, metrics: string[]): Columns {
  const values: Record<string, (number | null)[]> = {};
  if (Array.isArray(res.points)) {
    const pts = res.points;
    const ts = pts.map((p) => toSeconds((p.ts ?? p.bucket ?? p.time ?? 0) as number | string));
    for (const m of metrics) values[m] = pts.map((p) => toNumber(p[m] ?? p[`${m}_avg`]));
    return { ts, values };
  }
  const ts = (res.ts ?? []).map(toSeconds);
  const cols = (res.series ?? res) as Record<string, unknown>;
  for (const m of metrics) {
    const col = (cols[m] ?? cols[`${m}_avg`]) as unknown[] | undefined;
    values[m] = Array.isArray(col) ? col.map(toNumber) : ts.map(() => null);
  }
  return { ts, values };
}

/** Bytes per sample interval → bytes per second, so ranges with different steps compare. */
export function perSecond(col: (number | null)[], ts: number[], step?: number): (number | null)[] {
  return col.map((v, i) => {
    if (v === null) return null;
    const dt = step ?? (i > 0 ? (ts[i] ?? 0) - (ts[i - 1] ?? 0) : (ts[1] ?? 0) - (ts[0] ?? 0));
    return dt > 0 ? v / dt : null;
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

/** A step that yields at most ~`points` samples over the window (the API may round it). */
export function stepFor(seconds: number, points = 720): number {
  const raw = Math.ceil(seconds / points);
  for (const s of [10, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 86_400]) if (s >= raw) return s;
  return 86_400;
}
