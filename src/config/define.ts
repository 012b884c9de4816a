// A config key is parsed from a string (environment) or a TOML value, and names what it allows
// so a bad value can be reported in one line.
import { parseDuration } from '../core/duration.ts';

export class ConfigValueError extends Error {}

export interface KeyDef<T> {
  /** Environment variable that sets it (wins over vigil.toml). */
  env: string;
  default: T;
  doc: string;
  /** Human description of allowed values, used in errors and docs/configuration.md. */
  allowed: string;
  /** Secrets are never printed (status, logs, errors show only whether they are set). */
  secret?: boolean;
  parse(raw: unknown): T;
}

export type SectionDef = Record<string, KeyDef<unknown>>;
export type SectionValues<S extends SectionDef> = { readonly [K in keyof S]: S[K]['default'] };

const fail = (allowed: string): never => {
  throw new ConfigValueError(allowed);
};

const asString = (raw: unknown): string =>
  typeof raw === 'string'
    ? raw.trim()
    : typeof raw === 'number' || typeof raw === 'boolean'
      ? String(raw)
      : '';

export function int(min: number, max: number): Pick<KeyDef<number>, 'parse' | 'allowed'> {
  const allowed = `an integer from ${min} to ${max}`;
  return {
    allowed,
    parse(raw) {
      const s = asString(raw);
      const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : fail(allowed);
    },
  };
}

export function num(min: number, max: number): Pick<KeyDef<number>, 'parse' | 'allowed'> {
  const allowed = `a number from ${min} to ${max}`;
  return {
    allowed,
    parse(raw) {
      const s = asString(raw);
      const n = s === '' ? NaN : Number(s);
      return Number.isFinite(n) && n >= min && n <= max ? n : fail(allowed);
    },
  };
}

export const bool: Pick<KeyDef<boolean>, 'parse' | 'allowed'> = {
  allowed: 'true or false',
  parse(raw) {
    const s = asString(raw).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    return fail('true or false');
  },
};

export function oneOf<T extends string>(values: readonly T[]): Pick<KeyDef<T>, 'parse' | 'allowed'> {
  const allowed = `one of ${values.join(', ')}`;
  return {
    allowed,
    parse: (raw) => {
      const s = asString(raw);
      return (values as readonly string[]).includes(s) ? (s as T) : fail(allowed);
    },
  };
}

export function text(pattern: RegExp, allowed: string): Pick<KeyDef<string>, 'parse' | 'allowed'> {
  return { allowed, parse: (raw) => (pattern.test(asString(raw)) ? asString(raw) : fail(allowed)) };
}

/** Milliseconds, written as "10s", "5m", "1h" … */
export function duration(minMs: number, maxMs: number): Pick<KeyDef<number>, 'parse' | 'allowed'> {
  const allowed = `a duration such as 10s, 5m or 1h, from ${minMs / 1000}s to ${maxMs / 1000}s`;
  return {
    allowed,
    parse(raw) {
      const ms = parseDuration(asString(raw));
      return ms !== null && ms >= minMs && ms <= maxMs ? ms : fail(allowed);
    },
  };
}

/** An optional URL with one of the given protocols; '' means unset. */
export function optionalUrl(protocols: readonly string[]): Pick<KeyDef<string>, 'parse' | 'allowed'> {
  const allowed = `empty, or a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return {
    allowed,
    parse(raw) {
      const s = asString(raw);
      if (s === '') return '';
      try {
        return protocols.includes(new URL(s).protocol) ? s : fail(allowed);
      } catch {
        return fail(allowed);
      }
    },
  };
}

/** Any string, possibly empty. */
export const anyText: Pick<KeyDef<string>, 'parse' | 'allowed'> = { allowed: 'any text', parse: asString };

/** A comma-separated list (environment) or a TOML array of strings. */
export function list(item: RegExp, allowed: string): Pick<KeyDef<readonly string[]>, 'parse' | 'allowed'> {
  return {
    allowed,
    parse(raw) {
      const items = Array.isArray(raw)
        ? raw.map(asString)
        : asString(raw)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
      return items.every((s) => item.test(s)) ? Object.freeze(items) : fail(allowed);
    },
  };
}
