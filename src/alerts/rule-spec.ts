// Rules as people write them (API JSON, YAML files, CLI): validated in one pass that reports
// every problem with its field, so a bad rule is refused with all its reasons at once.
// Durations are "90s", "5m", "1h" or a number of seconds. The database CHECKs stay the last line.
import { formatDuration, parseDuration } from '../core/duration.ts';
import { validationError } from '../core/errors.ts';
import { METRIC_COLUMNS, isMetricColumn, isObject } from '../core/types.ts';
import {
  AGGREGATIONS,
  OPERATORS,
  type Rule,
  type RuleSpec,
  SEVERITIES,
  SOURCES,
  type Aggregation,
  type MetricSource,
  type Operator,
  type Severity,
} from './types.ts';

export interface Problem {
  field: string;
  reason: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const SERIES_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const CHANNEL = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const KNOWN_KEYS = new Set([
  'name',
  'description',
  'enabled',
  'source',
  'metric',
  'labels',
  'aggregation',
  'window',
  'operator',
  'threshold',
  'clear_threshold',
  'for',
  'for_points',
  'keep_firing_for',
  'no_data',
  'severity',
  'scope',
  'channels',
  'runbook_url',
]);

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** Seconds from "5m" / 300; null (with a problem) when not a duration within [min, max]. */
export function durationSeconds(
  v: unknown,
  field: string,
  min: number,
  max: number,
  problems: Problem[],
): number | null {
  let ms: number | null = null;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) ms = v * 1000;
  else if (typeof v === 'string') ms = parseDuration(v);
  if (ms === null || ms % 1000 !== 0) {
    problems.push({ field, reason: `must be a duration such as 30s, 5m or 1h (got ${show(v)})` });
    return null;
  }
  const s = ms / 1000;
  if (s < min || s > max) {
    problems.push({
      field,
      reason: `must be from ${formatDuration(min * 1000)} to ${formatDuration(max * 1000)} (got ${show(v)})`,
    });
    return null;
  }
  return s;
}

function oneOf<T extends string>(
  v: unknown,
  allowed: readonly T[],
  field: string,
  problems: Problem[],
): T | null {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  problems.push({ field, reason: `must be one of ${allowed.join(', ')} (got ${show(v)})` });
  return null;
}

function finite(v: unknown, field: string, problems: Problem[]): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  problems.push({ field, reason: `must be a number (got ${typeof v} ${show(v)})` });
  return null;
}

export function stringMap(v: unknown, field: string, problems: Problem[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    problems.push({ field, reason: 'must be an object of string values, e.g. {"role": "db"}' });
    return {};
  }
  return v as Record<string, string>;
}

/** Validates one rule; throws VALIDATION_FAILED listing every problem. */
export function parseRuleSpec(raw: unknown, where = ''): RuleSpec {
  const p: Problem[] = [];
  const f = (name: string) => `${where}${name}`;
  if (!isObject(raw)) throw validationError(`${where || 'rule'} must be an object`);
  for (const k of Object.keys(raw)) if (!KNOWN_KEYS.has(k)) p.push({ field: f(k), reason: 'unknown field' });

  const name = typeof raw.name === 'string' && NAME.test(raw.name) ? raw.name : null;
  if (!name)
    p.push({ field: f('name'), reason: `must be 1-200 letters, digits, _ . : - (got ${show(raw.name)})` });
  const source = oneOf<MetricSource>(raw.source ?? 'server_metrics', SOURCES, f('source'), p);
  let metric: string | null = typeof raw.metric === 'string' ? raw.metric : null;
  if (source === 'server_metrics' && !isMetricColumn(metric)) {
    p.push({
      field: f('metric'),
      reason: `unknown metric ${show(raw.metric)}: server_metrics has ${METRIC_COLUMNS.join(', ')}; use source "series" for any other metric`,
    });
  } else if (source === 'series' && !(metric && SERIES_NAME.test(metric))) {
    p.push({
      field: f('metric'),
      reason: `must be a metric series name like http_requests_total (got ${show(raw.metric)})`,
    });
  } else if (source === 'anomaly') {
    metric ??= 'anomaly_score';
    if (metric !== 'anomaly_score')
      p.push({ field: f('metric'), reason: 'must be anomaly_score (or omitted) for source "anomaly"' });
  }
  const labels = stringMap(raw.labels, f('labels'), p);
  if (source !== 'series' && Object.keys(labels).length > 0)
    p.push({ field: f('labels'), reason: 'series labels apply only to source "series"' });
  const aggregation = oneOf<Aggregation>(raw.aggregation ?? 'avg', AGGREGATIONS, f('aggregation'), p);
  const window = durationSeconds(raw.window ?? '5m', f('window'), 10, 86_400, p);
  const operator = oneOf<Operator>(
    raw.operator ?? (source === 'anomaly' ? '>=' : undefined),
    OPERATORS,
    f('operator'),
    p,
  );
  const threshold = finite(raw.threshold, f('threshold'), p);
  const clear =
    raw.clear_threshold === undefined || raw.clear_threshold === null
      ? null
      : finite(raw.clear_threshold, f('clear_threshold'), p);
  if (operator && threshold !== null && clear !== null) {
    const bad =
      ((operator === '>' || operator === '>=') && clear > threshold) ||
      ((operator === '<' || operator === '<=') && clear < threshold);
    if (bad)
      p.push({
        field: f('clear_threshold'),
        reason: `must be on the healthy side of the threshold (${operator} ${threshold}): the alert clears when the value is back past it`,
      });
  }
  if (source === 'anomaly' && threshold !== null && (threshold < 0 || threshold > 1))
    p.push({ field: f('threshold'), reason: 'anomaly scores are 0..1' });
  const forS = durationSeconds(raw.for ?? 0, f('for'), 0, 604_800, p);
  let forPoints: number | null = null;
  if (raw.for_points !== undefined && raw.for_points !== null) {
    if (source !== 'anomaly') p.push({ field: f('for_points'), reason: 'applies only to source "anomaly"' });
    else if (
      !Number.isInteger(raw.for_points) ||
      (raw.for_points as number) < 1 ||
      (raw.for_points as number) > 1000
    )
      p.push({
        field: f('for_points'),
        reason: `must be an integer from 1 to 1000 (got ${show(raw.for_points)})`,
      });
    else forPoints = raw.for_points as number;
  }
  const keep = durationSeconds(raw.keep_firing_for ?? 0, f('keep_firing_for'), 0, 604_800, p);
  const noData =
    raw.no_data === undefined || raw.no_data === null
      ? null
      : durationSeconds(raw.no_data, f('no_data'), 10, 604_800, p);
  const severity = oneOf<Severity>(raw.severity ?? 'warning', SEVERITIES, f('severity'), p);
  const scope = raw.scope === undefined || raw.scope === null ? {} : raw.scope;
  if (!isObject(scope)) p.push({ field: f('scope'), reason: 'must be an object {region, server, labels}' });
  const sc = isObject(scope) ? scope : {};
  for (const k of Object.keys(sc))
    if (!['region', 'server', 'labels'].includes(k))
      p.push({ field: f(`scope.${k}`), reason: 'unknown field (region, server, labels)' });
  const region = sc.region === undefined || sc.region === null ? null : String(sc.region);
  const server = sc.server === undefined || sc.server === null ? null : String(sc.server);
  const scopeLabels = stringMap(sc.labels, f('scope.labels'), p);
  const channels = raw.channels === undefined ? [] : raw.channels;
  if (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string' && CHANNEL.test(c)))
    p.push({ field: f('channels'), reason: 'must be a list of channel names' });
  const runbook = raw.runbook_url === undefined || raw.runbook_url === null ? null : raw.runbook_url;
  if (runbook !== null && !(typeof runbook === 'string' && /^https?:\/\/\S+$/.test(runbook)))
    p.push({ field: f('runbook_url'), reason: 'must be an http(s) URL' });
  const description = raw.description === undefined ? '' : raw.description;
  if (typeof description !== 'string' || description.length > 2000)
    p.push({ field: f('description'), reason: 'must be text of at most 2000 characters' });
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean')
    p.push({ field: f('enabled'), reason: 'must be true or false' });

  if (p.length > 0) {
    throw validationError(
      `invalid rule${name ? ` "${name}"` : ''}: ${p.map((x) => `${x.field} ${x.reason}`).join('; ')}`,
      p,
    );
  }
  return {
    name: name as string,
    description: description as string,
    enabled: raw.enabled !== false,
    metric_source: source as MetricSource,
    metric: metric as string,
    series_labels: labels,
    aggregation: aggregation as Aggregation,
    window_seconds: window as number,
    operator: operator as Operator,
    threshold: threshold as number,
    clear_threshold: clear,
    for_seconds: forS as number,
    for_points: forPoints,
    keep_firing_for_seconds: keep as number,
    no_data_seconds: noData,
    severity: severity as Severity,
    scope_region: region,
    scope_server: server,
    scope_labels: scopeLabels,
    channels: channels as string[],
    runbook_url: runbook as string | null,
  };
}

const dur = (s: number) => formatDuration(s * 1000);

/** A stored rule in the same shape people write (YAML export, API output). */
export function ruleToSpec(r: Rule, hostname: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name };
  if (r.description) out.description = r.description;
  if (!r.enabled) out.enabled = false;
  if (r.metric_source !== 'server_metrics') out.source = r.metric_source;
  out.metric = r.metric;
  if (Object.keys(r.series_labels).length) out.labels = r.series_labels;
  if (r.metric_source !== 'anomaly') out.aggregation = r.aggregation;
  out.window = dur(r.window_seconds);
  out.operator = r.operator;
  out.threshold = r.threshold;
  if (r.clear_threshold !== null) out.clear_threshold = r.clear_threshold;
  if (r.for_seconds) out.for = dur(r.for_seconds);
  if (r.for_points !== null) out.for_points = r.for_points;
  if (r.keep_firing_for_seconds) out.keep_firing_for = dur(r.keep_firing_for_seconds);
  if (r.no_data_seconds !== null) out.no_data = dur(r.no_data_seconds);
  out.severity = r.severity;
  const scope: Record<string, unknown> = {};
  if (r.scope_region !== null) scope.region = r.scope_region;
  if (hostname !== null) scope.server = hostname;
  if (Object.keys(r.scope_labels).length) scope.labels = r.scope_labels;
  if (Object.keys(scope).length) out.scope = scope;
  if (r.channels.length) out.channels = r.channels;
  if (r.runbook_url) out.runbook_url = r.runbook_url;
  return out;
}
