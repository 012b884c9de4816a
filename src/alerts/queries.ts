// SQL of the alerts module: rules, evaluation and alert episodes. Notification SQL (channels,
// outbox, silences, maintenance windows) is in queries-notify.ts. Values always go as
// parameters; the only identifier spliced in is a server_metrics column from METRIC_COLUMNS.
import { isMetricColumn } from '../core/types.ts';
import type { Queryable } from '../db/pool.ts';
import type { AlertState, Rule, RuleSpec, Severity } from './types.ts';

const RULE_COLUMNS = `id, name, description, enabled, metric_source, metric, series_labels, aggregation,
  window_seconds, operator, threshold, clear_threshold, for_seconds, for_points, keep_firing_for_seconds,
  no_data_seconds, severity, scope_region, scope_server_id, scope_labels, channels, runbook_url, updated_at`;

export async function listRules(db: Queryable, options: { enabledOnly?: boolean } = {}): Promise<Rule[]> {
  const { rows } = await db.query<Rule>(
    `SELECT ${RULE_COLUMNS} FROM vigil.alerts_configuration
      WHERE ($1::boolean IS NOT TRUE OR enabled) ORDER BY name`,
    [options.enabledOnly ?? false],
  );
  return rows;
}

export async function getRule(db: Queryable, idOrName: number | string): Promise<Rule | null> {
  const { rows } = await db.query<Rule>(
    `SELECT ${RULE_COLUMNS} FROM vigil.alerts_configuration
      WHERE ${typeof idOrName === 'number' ? 'id = $1' : 'name = $1'}`,
    [idOrName],
  );
  return rows[0] ?? null;
}

type StoredSpec = Omit<RuleSpec, 'scope_server'> & { scope_server_id: number | null };
const specParams = (s: StoredSpec) => [
  s.name,
  s.description,
  s.enabled,
  s.metric_source,
  s.metric,
  JSON.stringify(s.series_labels),
  s.aggregation,
  s.window_seconds,
  s.operator,
  s.threshold,
  s.clear_threshold,
  s.for_seconds,
  s.for_points,
  s.keep_firing_for_seconds,
  s.no_data_seconds,
  s.severity,
  s.scope_region,
  s.scope_server_id,
  JSON.stringify(s.scope_labels),
  s.channels,
  s.runbook_url,
];

export async function insertRule(db: Queryable, s: StoredSpec, createdBy: number | null): Promise<Rule> {
  const { rows } = await db.query<Rule>(
    `INSERT INTO vigil.alerts_configuration (name, description, enabled, metric_source, metric, series_labels,
       aggregation, window_seconds, operator, threshold, clear_threshold, for_seconds, for_points,
       keep_firing_for_seconds, no_data_seconds, severity, scope_region, scope_server_id, scope_labels,
       channels, runbook_url, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
     RETURNING ${RULE_COLUMNS}`,
    [...specParams(s), createdBy],
  );
  return rows[0] as Rule;
}

export async function updateRule(db: Queryable, id: number, s: StoredSpec, now: Date): Promise<Rule | null> {
  const { rows } = await db.query<Rule>(
    `UPDATE vigil.alerts_configuration SET name = $1, description = $2, enabled = $3, metric_source = $4,
       metric = $5, series_labels = $6, aggregation = $7, window_seconds = $8, operator = $9, threshold = $10,
       clear_threshold = $11, for_seconds = $12, for_points = $13, keep_firing_for_seconds = $14,
       no_data_seconds = $15, severity = $16, scope_region = $17, scope_server_id = $18, scope_labels = $19,
       channels = $20, runbook_url = $21, updated_at = $23
     WHERE id = $22 RETURNING ${RULE_COLUMNS}`,
    [...specParams(s), id, now],
  );
  return rows[0] ?? null;
}

export async function deleteRule(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vigil.alerts_configuration WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** Hostnames of servers by id (for showing scope_server). */
export async function hostnames(db: Queryable, ids: number[]): Promise<Map<number, string>> {
  const { rows } = await db.query<{ id: number; hostname: string }>(
    'SELECT id, hostname FROM vigil.servers WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.hostname]));
}

export async function serverIdsByHostname(db: Queryable, names: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; hostname: string }>(
    'SELECT id, hostname FROM vigil.servers WHERE hostname = ANY($1::text[])',
    [names],
  );
  return new Map(rows.map((r) => [r.hostname, r.id]));
}

/** How many servers a scope matches, and the regions there are (for a helpful error). */
export async function scopeMatches(
  db: Queryable,
  scope: { region: string | null; serverId: number | null; labels: Record<string, string> },
): Promise<{ matched: number; regions: string[] }> {
  const { rows } = await db.query<{ matched: number; regions: string[] }>(
    `SELECT count(*) FILTER (WHERE ($1::text IS NULL OR region = $1) AND ($2::bigint IS NULL OR id = $2)
                                AND labels @> $3::jsonb)::int AS matched,
            coalesce(array_agg(DISTINCT region), '{}') AS regions
       FROM vigil.servers`,
    [scope.region, scope.serverId, JSON.stringify(scope.labels)],
  );
  return rows[0] ?? { matched: 0, regions: [] };
}

export async function seriesExists(
  db: Queryable,
  name: string,
  labels: Record<string, string>,
): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM vigil.metric_series WHERE name = $1 AND labels @> $2::jsonb LIMIT 1',
    [name, JSON.stringify(labels)],
  );
  return rows.length > 0;
}

export async function channelNames(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    'SELECT name FROM vigil.notification_channels ORDER BY name',
  );
  return rows.map((r) => r.name);
}

// --- evaluation --------------------------------------------------------------------------------

/** One server in a rule's scope: its aggregated value now and its open episode, if any. */
export interface EvalRow {
  server_id: number;
  value: number | null;
  n: number;
  has_recent: boolean | null;
  first_seen_at: Date;
  alert_id: number | null;
  state: 'pending' | 'firing' | null;
  reason: 'threshold' | 'no_data' | null;
  started_at: Date | null;
  fired_at: Date | null;
  clearing_since: Date | null;
  peak_value: number | null;
  last_value: number | null;
}

const AGG_SQL: Record<Rule['aggregation'], (x: string, ts: string) => string> = {
  avg: (x) => `avg(${x})`,
  max: (x) => `max(${x})`,
  min: (x) => `min(${x})`,
  last: (x, ts) => `(array_agg(${x} ORDER BY ${ts} DESC))[1]`,
  p95: (x) => `percentile_cont(0.95) WITHIN GROUP (ORDER BY ${x})`,
};

/** The value source of a rule as a LATERAL subquery over server s.id; $5 = window start. */
function valueSql(rule: Rule): { sql: string; recent: string; params: unknown[] } {
  if (rule.metric_source === 'server_metrics') {
    if (!isMetricColumn(rule.metric)) throw new Error(`rule ${rule.id}: unknown metric ${rule.metric}`);
    const col = `m.${rule.metric}`;
    return {
      sql: `SELECT ${AGG_SQL[rule.aggregation](col, 'm.ts')}::float8 AS value, count(${col})::int AS n
              FROM vigil.server_metrics m WHERE m.server_id = s.id AND m.ts > $5 AND ${col} IS NOT NULL`,
      recent: `EXISTS (SELECT 1 FROM vigil.server_metrics m WHERE m.server_id = s.id AND m.ts > $6 AND ${col} IS NOT NULL)`,
      params: [],
    };
  }
  if (rule.metric_source === 'series') {
    const from = `FROM vigil.metric_series se JOIN vigil.metric_samples ms ON ms.series_id = se.id
                 WHERE se.server_id = s.id AND se.name = $8 AND se.labels @> $9::jsonb`;
    return {
      sql: `SELECT ${AGG_SQL[rule.aggregation]('ms.value', 'ms.ts')}::float8 AS value, count(*)::int AS n ${from} AND ms.ts > $5`,
      recent: `EXISTS (SELECT 1 ${from} AND ms.ts > $6)`,
      params: [rule.metric, JSON.stringify(rule.series_labels)],
    };
  }
  // Anomaly: the last N scores of the combined detector inside the window; the condition holds
  // for all N when it holds for the least alarming of them.
  const agg = rule.operator === '<' || rule.operator === '<=' ? 'max' : 'min';
  return {
    sql: `SELECT ${agg}(x.score)::float8 AS value, count(*)::int AS n FROM (
            SELECT a.score FROM vigil.anomalies a WHERE a.server_id = s.id AND a.method = 'combined'
               AND a.ts > $5 ORDER BY a.ts DESC LIMIT $8) x`,
    recent: `EXISTS (SELECT 1 FROM vigil.anomalies a WHERE a.server_id = s.id AND a.method = 'combined' AND a.ts > $6)`,
    params: [rule.for_points ?? 1],
  };
}

/**
 * One set-based read per (rule, batch of servers): every server in scope (among serverIds, or
 * all when null) with its aggregated value over the window and its open episode.
 */
export async function evaluationRows(
  db: Queryable,
  rule: Rule,
  serverIds: number[] | null,
  now: Date,
): Promise<EvalRow[]> {
  const v = valueSql(rule);
  const windowStart = new Date(now.getTime() - rule.window_seconds * 1000);
  const noDataStart =
    rule.no_data_seconds === null ? null : new Date(now.getTime() - rule.no_data_seconds * 1000);
  const { rows } = await db.query<EvalRow>(
    `SELECT s.id AS server_id, a.value, a.n, s.first_seen_at,
            CASE WHEN $6::timestamptz IS NULL THEN NULL ELSE ${v.recent} END AS has_recent,
            h.id AS alert_id, h.state, h.reason, h.started_at, h.fired_at, h.clearing_since, h.peak_value, h.last_value
       FROM vigil.servers s
       LEFT JOIN LATERAL (${v.sql}) a ON true
       LEFT JOIN vigil.alerts_history h ON h.rule_id = $7 AND h.server_id = s.id AND h.resolved_at IS NULL
      WHERE ($1::bigint[] IS NULL OR s.id = ANY($1::bigint[]))
        AND ($2::text IS NULL OR s.region = $2) AND ($3::bigint IS NULL OR s.id = $3)
        AND s.labels @> $4::jsonb`,
    [
      serverIds,
      rule.scope_region,
      rule.scope_server_id,
      JSON.stringify(rule.scope_labels),
      windowStart,
      noDataStart,
      rule.id,
      ...v.params,
    ],
  );
  return rows;
}

export interface EpisodeInsert {
  server_id: number;
  state: 'pending' | 'firing';
  reason: 'threshold' | 'no_data';
  value: number | null;
  change: string;
}

export interface ChangedAlert {
  id: number;
  server_id: number;
  state: AlertState;
}

export async function insertEpisodes(
  db: Queryable,
  rule: Pick<Rule, 'id' | 'severity'>,
  rows: EpisodeInsert[],
  now: Date,
): Promise<ChangedAlert[]> {
  if (rows.length === 0) return [];
  const { rows: out } = await db.query<ChangedAlert>(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, fired_at, peak_value,
                                      last_value, reason, state_changes, last_evaluated_at)
     SELECT $1, u.server_id, u.state, $2, $3, CASE WHEN u.state = 'firing' THEN $3::timestamptz END,
            u.value, u.value, u.reason, jsonb_build_array(u.change::jsonb), $3
       FROM unnest($4::bigint[], $5::text[], $6::text[], $7::float8[], $8::text[])
            AS u(server_id, state, reason, value, change)
     ON CONFLICT (rule_id, server_id) WHERE resolved_at IS NULL DO NOTHING
     RETURNING id, server_id, state`,
    [
      rule.id,
      rule.severity as Severity,
      now,
      rows.map((r) => r.server_id),
      rows.map((r) => r.state),
      rows.map((r) => r.reason),
      rows.map((r) => r.value),
      rows.map((r) => r.change),
    ],
  );
  return out;
}

export interface EpisodeUpdate {
  id: number;
  state: AlertState;
  fired_at: Date | null;
  resolved_at: Date | null;
  peak: number | null;
  last: number | null;
  clearing_since: Date | null;
  /** A state-change entry to append, or null when only the values moved. */
  change: string | null;
}

export async function updateEpisodes(
  db: Queryable,
  rows: EpisodeUpdate[],
  now: Date,
): Promise<ChangedAlert[]> {
  if (rows.length === 0) return [];
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const { rows: out } = await db.query<ChangedAlert & { changed: boolean }>(
    `UPDATE vigil.alerts_history h
        SET state = u.state, fired_at = u.fired_at, resolved_at = u.resolved_at, peak_value = u.peak,
            last_value = u.last, clearing_since = u.clearing_since, last_evaluated_at = $9,
            state_changes = CASE WHEN u.change IS NULL THEN h.state_changes
                                 ELSE h.state_changes || jsonb_build_array(u.change::jsonb) END
       FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[],
                   $7::timestamptz[], $8::text[]) AS u(id, state, fired_at, resolved_at, peak, last, clearing_since, change)
      WHERE h.id = u.id AND h.resolved_at IS NULL
     RETURNING h.id, h.server_id, h.state, (u.change IS NOT NULL) AS changed`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.state),
      rows.map((r) => iso(r.fired_at)),
      rows.map((r) => iso(r.resolved_at)),
      rows.map((r) => r.peak),
      rows.map((r) => r.last),
      rows.map((r) => iso(r.clearing_since)),
      rows.map((r) => r.change),
      now,
    ],
  );
  return out.filter((r) => r.changed).map(({ id, server_id, state }) => ({ id, server_id, state }));
}

/** Episodes of disabled rules end: nobody evaluates them any more. */
export async function resolveDisabledRuleEpisodes(
  db: Queryable,
  now: Date,
): Promise<(ChangedAlert & { rule_id: number })[]> {
  const { rows } = await db.query<ChangedAlert & { rule_id: number }>(
    `UPDATE vigil.alerts_history h
        SET state = 'resolved', resolved_at = $1, last_evaluated_at = $1,
            state_changes = h.state_changes || jsonb_build_array(jsonb_build_object(
              'at', $1::timestamptz, 'from', h.state, 'to', 'resolved', 'value', h.last_value, 'note', 'rule disabled'))
       FROM vigil.alerts_configuration r
      WHERE r.id = h.rule_id AND h.resolved_at IS NULL AND NOT r.enabled
     RETURNING h.id, h.rule_id, h.server_id, h.state`,
    [now],
  );
  return rows;
}

/** Serialises evaluation of one rule across processes for the rest of the transaction. */
export async function lockRule(db: Queryable, ruleId: number): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('vigil.alerts.rule'), $1::int)`, [ruleId]);
}

// --- shared scans: many server_metrics rules with the same window in one pass -----------------

export interface GroupRow {
  server_id: number;
  region: string;
  labels: Record<string, unknown>;
  first_seen_at: Date;
  [alias: string]: unknown;
}

/**
 * Rules over server_metrics with the same window read the same rows: one scan per server
 * computes every (aggregation, metric) those rules need. Rule k's value is column `v<k>` (rules
 * with the same aggregation and metric share it) and the sample count of metric c is `n_<c>`.
 */
export async function groupEvaluationRows(
  db: Queryable,
  rules: Rule[],
  windowSeconds: number,
  serverIds: number[] | null,
  now: Date,
): Promise<{ rows: GroupRow[]; valueAlias: string[] }> {
  const exprs = new Map<string, string>();
  const valueAlias = rules.map((r) => {
    if (!isMetricColumn(r.metric)) throw new Error(`rule ${r.id}: unknown metric ${r.metric}`);
    const key = `${r.aggregation}:${r.metric}`;
    if (!exprs.has(key)) exprs.set(key, `v${exprs.size}`);
    return exprs.get(key) as string;
  });
  const select = [...exprs].map(([key, alias]) => {
    const [agg, col] = key.split(':') as [Rule['aggregation'], string];
    return `${AGG_SQL[agg](`m.${col}`, 'm.ts')}::float8 AS ${alias}`;
  });
  for (const col of new Set(rules.map((r) => r.metric))) select.push(`count(m.${col})::int AS n_${col}`);
  const { rows } = await db.query<GroupRow>(
    `SELECT s.id AS server_id, s.region, s.labels, s.first_seen_at, a.*
       FROM vigil.servers s
       LEFT JOIN LATERAL (SELECT ${select.join(', ')}
                            FROM vigil.server_metrics m WHERE m.server_id = s.id AND m.ts > $2) a ON true
      WHERE ($1::bigint[] IS NULL OR s.id = ANY($1::bigint[]))`,
    [serverIds, new Date(now.getTime() - windowSeconds * 1000)],
  );
  return { rows, valueAlias };
}

export type OpenEpisode = Pick<
  EvalRow,
  'alert_id' | 'state' | 'reason' | 'started_at' | 'fired_at' | 'clearing_since' | 'peak_value' | 'last_value'
> & { rule_id: number; server_id: number };

export async function openEpisodes(
  db: Queryable,
  ruleIds: number[],
  serverIds: number[] | null,
): Promise<OpenEpisode[]> {
  const { rows } = await db.query<OpenEpisode>(
    `SELECT id AS alert_id, rule_id, server_id, state, reason, started_at, fired_at, clearing_since, peak_value, last_value
       FROM vigil.alerts_history
      WHERE rule_id = ANY($1::bigint[]) AND resolved_at IS NULL AND ($2::bigint[] IS NULL OR server_id = ANY($2::bigint[]))`,
    [ruleIds, serverIds],
  );
  return rows;
}

/** Locks several rules in id order (so two passes over overlapping rule sets cannot deadlock). */
export async function lockRules(db: Queryable, ruleIds: number[]): Promise<void> {
  await db.query(
    `SELECT count(pg_advisory_xact_lock(hashtext('vigil.alerts.rule'), id::int))
       FROM (SELECT id FROM unnest($1::bigint[]) AS u(id) ORDER BY id) ordered`,
    [ruleIds],
  );
}
