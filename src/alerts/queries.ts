// SQL of rule evaluation and alert episodes. Rules and their lookups: queries-rules.ts;
// notifications: queries-notify.ts; silences and maintenance windows: queries-muting.ts. Values always go as
// parameters; the only identifier spliced in is a server_metrics column from METRIC_COLUMNS.
import { isMetricColumn } from '../core/types.ts';
import type { Queryable } from '../db/pool.ts';
import type { AlertState, Rule, Severity } from './types.ts';

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
  // Anomaly, "score >= x for N points": the anomaly runner writes a row for every point at or
  // above the alarm level, each with the length of the run of such points ending there, and
  // keeps the newest scored point (watermark) and its score in anomaly_state. The condition is
  // about the server's newest N points, so it is decided only while the run reaches the
  // watermark: the value is then the least alarming of the last N rows (consecutive points),
  // and a run shorter than N counts as too few points (n < N). When the run has ended the
  // value is the newest point's own score, which lets a firing alert resolve. A server not
  // scored within the window has no value (like a silent server).
  const agg = rule.operator === '<' || rule.operator === '<=' ? 'max' : 'min';
  return {
    sql: `SELECT CASE WHEN x.newest = w.scored_to THEN x.value ELSE w.last_score END::float8 AS value,
                 CASE WHEN w.scored_to <= $5 THEN 0 WHEN x.newest = w.scored_to THEN least(x.run, $8) ELSE $8 END::int AS n
            FROM vigil.anomaly_state w
            LEFT JOIN LATERAL (
              SELECT max(y.ts) AS newest, ${agg}(y.score) AS value, (array_agg(y.run_points ORDER BY y.ts DESC))[1] AS run
                FROM (SELECT a.ts, a.score, a.run_points FROM vigil.anomalies a
                       WHERE a.server_id = s.id AND a.method = 'combined' AND a.ts <= w.scored_to
                       ORDER BY a.ts DESC LIMIT $8) y) x ON true
           WHERE w.server_id = s.id`,
    // No data for an anomaly rule: the server has not been scored lately (not "no anomalies").
    recent: `EXISTS (SELECT 1 FROM vigil.anomaly_state w WHERE w.server_id = s.id AND w.scored_to > $6)`,
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
