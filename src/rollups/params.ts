// Parsing and checking of query parameters shared by the query endpoints and the CLI. Every
// refusal is a 400 VALIDATION_FAILED whose details name the field and the reason.
import { parseDuration } from '../core/duration.ts';
import { validationError } from '../core/errors.ts';
import { type Metric, METRICS } from './columns.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const invalid = (field: string, reason: string, value?: unknown) =>
  validationError(`${field}: ${reason}`, { field, reason, ...(value === undefined ? {} : { value }) });

/** An ISO 8601 timestamp or Unix seconds. */
export function parseTime(field: string, raw: string | undefined, fallback: Date): Date {
  if (raw === undefined || raw === '') return fallback;
  const d = /^\d{9,11}(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(d.getTime()) || !/^\d/.test(raw))
    throw invalid(field, 'must be an ISO 8601 timestamp (2026-01-31T12:00:00Z) or Unix seconds', raw);
  if (d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2200)
    throw invalid(field, 'must be between the years 2000 and 2200', raw);
  return d;
}

export interface Range {
  from: Date;
  to: Date;
}

/** from/to with defaults (to = now, from = to - defaultSpan), from < to and at most maxSpan. */
export function parseRange(
  q: { from?: string; to?: string },
  now: Date,
  defaultSpanMs: number,
  maxSpanMs = 400 * DAY_MS,
): Range {
  const to = parseTime('to', q.to, now);
  const from = parseTime('from', q.from, new Date(to.getTime() - defaultSpanMs));
  if (from.getTime() >= to.getTime())
    throw invalid('from', `must be before to (from=${from.toISOString()}, to=${to.toISOString()})`);
  if (to.getTime() - from.getTime() > maxSpanMs)
    throw invalid('to', `range is longer than the maximum of ${Math.round(maxSpanMs / DAY_MS)} days`);
  return { from, to };
}

/** A duration ("5m", "1h", "7d") or seconds; whole seconds, at least minMs. */
export function parseStep(field: string, raw: string, minMs = 1000, maxMs = 366 * DAY_MS): number {
  const ms = parseDuration(raw);
  if (ms === null) throw invalid(field, 'must be a duration such as 60s, 5m, 1h or 1d', raw);
  if (ms % 1000 !== 0) throw invalid(field, 'must be a whole number of seconds', raw);
  if (ms < minMs || ms > maxMs)
    throw invalid(field, `must be from ${minMs / 1000}s to ${maxMs / 1000}s`, raw);
  return ms;
}

export function parseMetric(field: string, raw: string): Metric {
  if (!(METRICS as readonly string[]).includes(raw))
    throw invalid(field, `unknown metric "${raw}"; known: ${METRICS.join(', ')}`, raw);
  return raw as Metric;
}

export function parseMetrics(raw: string | undefined, fallback: readonly Metric[]): Metric[] {
  if (raw === undefined || raw.trim() === '') return [...fallback];
  const list = raw.split(',').map((s) => s.trim());
  return [...new Set(list.map((m) => parseMetric('metrics', m)))];
}

export function parseLimit(raw: number | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!Number.isInteger(raw) || raw < 1) throw invalid('limit', 'must be a positive integer', raw);
  if (raw > max) throw invalid('limit', `must be at most ${max} (rollups.max_page_size)`, raw);
  return raw;
}

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(raw: string | undefined, check: (v: unknown[]) => boolean): unknown[] | null {
  if (raw === undefined || raw === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'is not a cursor this API returned (not base64url JSON)');
  }
  if (!Array.isArray(v) || !check(v))
    throw invalid('cursor', 'is not a cursor for this query (was it made with another sort?)');
  return v;
}

/** Seconds between a view's or stage's as_of and now (never negative). */
export const ageSeconds = (asOf: Date | null, now: Date): number | null =>
  asOf ? Math.max(0, Math.round((now.getTime() - asOf.getTime()) / 1000)) : null;
