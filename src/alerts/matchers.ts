// Silences match alerts by labels, Alertmanager style: name=value, name!=value, name=~regex,
// name!~regex; regexes are anchored; a label the alert lacks is the empty string.
import { validationError } from '../core/errors.ts';

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
const TEXT_FORM = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/;

/** A matcher from {name, op, value} or from text like `region=~"eu-.*"`. */
export function parseMatcher(raw: unknown, index: number): Matcher {
  let m: Matcher | null = null;
  if (typeof raw === 'string') {
    const t = TEXT_FORM.exec(raw);
    if (t)
      m = { name: t[1] as string, op: t[2] as MatchOp, value: (t[3] ?? t[4] ?? '').replace(/\\(.)/g, '$1') };
  } else if (typeof raw === 'object' && raw !== null) {
    const o = raw as Record<string, unknown>;
    if (typeof o.name === 'string' && typeof o.value === 'string')
      m = { name: o.name, op: (o.op ?? '=') as MatchOp, value: o.value };
  }
  if (
    !m ||
    !LABEL.test(m.name) ||
    !(MATCH_OPS as readonly string[]).includes(m.op) ||
    m.value.length > 1000
  ) {
    throw validationError(
      `matchers[${index}]: must be like alertname="high_cpu", region=~"eu-.*" or {"name", "op", "value"} with op one of ${MATCH_OPS.join(' ')}`,
    );
  }
  if (m.op === '=~' || m.op === '!~') {
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch (e) {
      throw validationError(`matchers[${index}]: bad regular expression: ${(e as Error).message}`);
    }
  }
  return m;
}

export function parseMatchers(raw: unknown): Matcher[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 50)
    throw validationError('matchers must be a list of 1 to 50 label matchers');
  const out = raw.map(parseMatcher);
  // Like Alertmanager: a silence must not match every alert by accident.
  if (out.every((m) => matchOne(m, ''))) {
    throw validationError(
      'matchers all match an empty label, so the silence would cover every alert: add one that names something',
    );
  }
  return out;
}

const cache = new Map<string, RegExp>();
function regex(v: string): RegExp {
  let r = cache.get(v);
  if (!r) {
    r = new RegExp(`^(?:${v})$`);
    if (cache.size > 1000) cache.clear();
    cache.set(v, r);
  }
  return r;
}

function matchOne(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return regex(m.value).test(value);
    case '!~':
      return !regex(m.value).test(value);
  }
}

export function matchesAll(matchers: Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => matchOne(m, labels[m.name] ?? ''));
}

export const formatMatcher = (m: Matcher): string => `${m.name}${m.op}${JSON.stringify(m.value)}`;
