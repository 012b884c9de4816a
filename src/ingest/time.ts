// Timestamps as integer microseconds since the epoch (see types.ts for why microseconds).
// Date.parse drops everything after the millisecond, so RFC 3339 is parsed here by hand.

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Microseconds for an RFC 3339 / ISO 8601 timestamp with a zone, or null. */
export function parseIsoUs(text: string): number | null {
  if (text.length > 40) return null;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(
    Number,
  ) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 60)
    return null;
  let ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, Math.min(second!, 59));
  // Date.UTC rolls 31 February over into March; a real parser refuses it.
  if (new Date(ms).getUTCDate() !== day) return null;
  if (m[9] !== undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    ms += m[9] === '+' ? -offset : offset;
  }
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(fraction);
}

/** msToUs's scratch slot (synchronous, so one per process is enough). */
const one = new Float64Array(1);

/** Epoch milliseconds (a JSON number, possibly fractional) as microseconds, or null. */
export function msToUs(ms: number): number | null {
  one[0] = ms;
  msToUsAt(one, one);
  const us = one[0] as number;
  return us === us ? us : null;
}

/**
 * msToUs from ms[0] into us[0], NaN for "not a timestamp". For hot loops: no double crosses a
 * call (V8 boxes one on the heap when it does not inline the call).
 */
export function msToUsAt(ms: Float64Array, us: Float64Array): void {
  const v = ms[0] as number;
  const r = Math.round(v * 1000);
  us[0] = Number.isFinite(v) && Number.isSafeInteger(r) ? r : NaN;
}

/** A JSON `ts`: RFC 3339 string or epoch milliseconds. */
export function parseJsonTs(value: unknown): number | null {
  if (typeof value === 'string') return parseIsoUs(value);
  if (typeof value === 'number') return msToUs(value);
  return null;
}

const NS_PER_US = 1000n;
const MAX_US = BigInt(Number.MAX_SAFE_INTEGER);

/** Nanoseconds (BigInt, exact) to microseconds, truncated towards minus infinity; null when out of range. */
export function nsToUs(ns: bigint): number | null {
  let us = ns / NS_PER_US;
  if (ns < 0n && ns % NS_PER_US !== 0n) us -= 1n;
  return us > MAX_US || us < -MAX_US ? null : Number(us);
}

/** RFC 3339 with microseconds, UTC: the text form PostgreSQL reads back exactly. */
export function usToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
}

export const DAY_US = 86_400_000_000;

/** The UTC day of a timestamp, as days since 1970-01-01 (day partitions are whole UTC days). */
export const utcDay = (tsUs: number): number => Math.floor(tsUs / DAY_US);

/** A day number of utcDay() as YYYY-MM-DD. */
export const isoDay = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
