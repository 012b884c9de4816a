// Five-field cron (minute hour day-of-month month day-of-week) for maintenance windows, in a
// time zone: "is there a start within the last `duration`?" is all a window needs, answered by
// walking back minute by minute (at most a week: 10,080 steps of integer arithmetic).
import { validationError } from '../core/errors.ts';

export interface Cron {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domAny: boolean;
  dowAny: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function field(
  text: string,
  min: number,
  max: number,
  names: string[],
  base: number,
  what: string,
): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names.indexOf(s.toLowerCase());
    const n = i >= 0 ? i + base : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) throw validationError(`cron ${what}: "${s}" is not within ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw validationError(`cron ${what}: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range?.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a ?? ''), value(b ?? '')];
    } else {
      lo = value(range ?? '');
      hi = stepText === undefined ? lo : max;
    }
    if (lo > hi) throw validationError(`cron ${what}: range "${part}" runs backwards`);
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5)
    throw validationError(`cron "${text}" must have 5 fields: minute hour day-of-month month day-of-week`);
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const dowSet = field(dow, 0, 7, DAYS, 0, 'day-of-week');
  if (dowSet.has(7)) dowSet.add(0); // 7 is Sunday too
  return {
    minute: field(mi, 0, 59, [], 0, 'minute'),
    hour: field(h, 0, 23, [], 0, 'hour'),
    dom: field(dom, 1, 31, [], 0, 'day-of-month'),
    month: field(mon, 1, 12, MONTHS, 1, 'month'),
    dow: dowSet,
    domAny: dom === '*',
    dowAny: dow === '*',
  };
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at an instant, in minutes. */
function offsetMinutes(tz: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}

function matches(c: Cron, localMs: number): boolean {
  const d = new Date(localMs);
  if (!c.minute.has(d.getUTCMinutes()) || !c.hour.has(d.getUTCHours()) || !c.month.has(d.getUTCMonth() + 1))
    return false;
  const domOk = c.dom.has(d.getUTCDate());
  const dowOk = c.dow.has(d.getUTCDay());
  // Classic cron: when both day fields are restricted, either may match.
  if (c.domAny || c.dowAny) return domOk && dowOk;
  return domOk || dowOk;
}

/** The latest start at or before `now` within `durationMs`, or null: the window is open then. */
export function openSince(c: Cron, tz: string, now: Date, durationMs: number): Date | null {
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  const start = now.getTime() - durationMs;
  const off0 = offsetMinutes(tz, end);
  const fixed = off0 === offsetMinutes(tz, start);
  for (let t = end; t > start; t -= 60_000) {
    const off = fixed ? off0 : offsetMinutes(tz, t);
    if (matches(c, t + off * 60_000)) return new Date(t);
  }
  return null;
}
