// SQL of alert rules and the lookups that check them (servers, series, channels).
import type { Queryable } from '../db/pool.ts';
import type { Rule, RuleSpec } from './types.ts';

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
