// The Prometheus text exposition format (version 0.0.4), what node_exporter serves at /metrics
// and what Vigil's scraper reads:
//   # HELP name text      # TYPE name counter|gauge|…   (comments, skipped)
//   name{label="value",…} value [timestamp_ms]
// Label values escape "\\", "\"" and "\n". Values are Go floats, including NaN and ±Inf.
import type { CounterState } from '../counters.ts';
import { type IngestLimits, type ParseResult, type RowError, emptyResult } from '../types.ts';
import { type PromSeries, mapPromSeries } from './node-exporter.ts';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

function parseValue(tok: string): number | null {
  if (tok in SPECIAL) return SPECIAL[tok] as number;
  return FLOAT_RE.test(tok) ? Number(tok) : null;
}

/** Reads {a="x",b="y"} starting at text[0] === '{'; returns labels and the rest of the line. */
function parseLabels(text: string): { labels: Record<string, string>; rest: string } | string {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const name = LABEL_NAME_RE.exec(text.slice(i))?.[0];
    if (!name) return 'invalid label name';
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return `label ${name} must be name="value"`;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return `unterminated value of label ${name}`;
      if (c === '"') break;
      if (c === '\\') {
        const n = text[i + 1];
        value += n === 'n' ? '\n' : n === '\\' || n === '"' ? n : `\\${n ?? ''}`;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return 'expected "," or "}" after a label';
  }
}

/** Series in an exposition body; `nowMs` stamps samples that carry no timestamp. */
export function parsePrometheusText(
  text: string,
  nowMs: number,
): { series: PromSeries[]; errors: RowError[]; total: number } {
  const byKey = new Map<string, PromSeries>();
  const errors: RowError[] = [];
  let index = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = index++;
    const name = NAME_RE.exec(line)?.[0];
    if (!name) {
      errors.push({ index: i, field: 'name', reason: 'line does not start with a metric name' });
      continue;
    }
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest);
      if (typeof parsed === 'string') {
        errors.push({ index: i, field: 'labels', reason: parsed });
        continue;
      }
      ({ labels, rest } = parsed);
    }
    const [valueTok, tsTok, extra] = rest.trim().split(/\s+/);
    const value = valueTok === undefined ? null : parseValue(valueTok);
    if (value === null) {
      errors.push({ index: i, field: 'value', reason: 'missing or invalid sample value' });
      continue;
    }
    if (extra !== undefined || (tsTok !== undefined && !/^-?\d{1,16}$/.test(tsTok))) {
      errors.push({ index: i, field: 'timestamp', reason: 'invalid timestamp (integer milliseconds)' });
      continue;
    }
    const tsMs = tsTok === undefined ? Math.round(nowMs) : Number(tsTok);
    const all = { __name__: name, ...labels };
    const key = JSON.stringify(all);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { labels: all, samples: [] }));
    s.samples.push({ value, tsMs });
  }
  return { series: [...byKey.values()], errors, total: index };
}

/** A scrape body onto Vigil's tables; `extraLabels` (job, instance) are added to every series. */
export function parseScrape(
  text: string,
  limits: IngestLimits,
  state: CounterState,
  extraLabels: Record<string, string>,
): ParseResult {
  const { series, errors, total } = parsePrometheusText(text, limits.nowMs);
  const result = emptyResult();
  result.errors.push(...errors);
  if (total > limits.maxRows) {
    result.errors.push({
      index: -1,
      field: 'body',
      reason: `more than ${limits.maxRows} samples in one scrape`,
    });
    result.total = total;
    return result;
  }
  for (const s of series) Object.assign(s.labels, extraLabels, { __name__: s.labels.__name__ });
  // Sample indexes in errors below count accepted lines; parse errors above count all lines.
  mapPromSeries(series, limits, state, result);
  result.total = total;
  return result;
}
