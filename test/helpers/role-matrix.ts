// What each database role may do, as data: test/db/roles.test.ts runs every action under every
// role and expects success exactly for the roles listed, and 42501 for the others;
// scripts/gen-roles-doc.ts renders the same list into docs/roles.md. Change grants, change this.
import type { Role } from '../../src/core/types.ts';

export interface MatrixIds {
  serverId: number;
  spareServerId: number;
  seriesId: number;
  spareSeriesId: number;
  userId: number;
  tokenId: number;
  ruleId: number;
  incidentId: number;
  spareIncidentId: number;
  channelId: number;
  outboxId: number;
  silenceId: number;
  windowId: number;
  policyId: number;
}

export interface MatrixAction {
  /** Table (or view / function) acted on. */
  table: string;
  /** SELECT, INSERT, UPDATE, DELETE, or a narrower variant such as "UPDATE (last_seen_at)". */
  action: string;
  sql: string;
  params?: (ids: MatrixIds) => unknown[];
  allowed: readonly Role[];
}

const ALL: readonly Role[] = ['admin', 'devops', 'readonly', 'ingest'];
const READERS: readonly Role[] = ['admin', 'devops', 'readonly'];
const WRITERS: readonly Role[] = ['admin', 'devops', 'ingest'];
const MANAGERS: readonly Role[] = ['admin', 'devops'];
const ADMIN: readonly Role[] = ['admin'];
const NOBODY: readonly Role[] = [];
const now = `now()`;

const a = (
  table: string,
  action: string,
  sql: string,
  allowed: readonly Role[],
  params?: MatrixAction['params'],
): MatrixAction => ({ table, action, sql, allowed, params });

// One action per line reads as the table it is; prettier would break each call over 6 lines.
// prettier-ignore
export const ROLE_MATRIX: MatrixAction[] = [
  a('servers', 'SELECT', 'SELECT * FROM vigil.servers', ALL),
  a('servers', 'INSERT', `INSERT INTO vigil.servers (hostname) VALUES ('matrix-new')`, WRITERS),
  a('servers', 'UPDATE (last_seen_at, labels …)', `UPDATE vigil.servers SET last_seen_at = ${now} WHERE id = $1`, WRITERS, (i) => [i.serverId]),
  a('servers', 'UPDATE (hostname)', `UPDATE vigil.servers SET hostname = 'renamed' WHERE id = $1`, ADMIN, (i) => [i.serverId]),
  a('servers', 'DELETE', 'DELETE FROM vigil.servers WHERE id = $1', ADMIN, (i) => [i.spareServerId]),

  a('server_metrics', 'SELECT', 'SELECT * FROM vigil.server_metrics', READERS),
  a('server_metrics', 'INSERT', `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, ${now}, 5)`, WRITERS, (i) => [i.serverId]),
  a('server_metrics', 'UPDATE', 'UPDATE vigil.server_metrics SET cpu_usage = 0 WHERE server_id = $1', NOBODY, (i) => [i.serverId]),
  a('server_metrics', 'DELETE', 'DELETE FROM vigil.server_metrics WHERE server_id = $1', ADMIN, (i) => [i.serverId]),

  a('metric_series', 'SELECT', 'SELECT * FROM vigil.metric_series', ALL),
  a('metric_series', 'INSERT', `INSERT INTO vigil.metric_series (server_id, name) VALUES ($1, 'matrix_new')`, WRITERS, (i) => [i.serverId]),
  a('metric_series', 'UPDATE', `UPDATE vigil.metric_series SET name = 'renamed' WHERE id = $1`, NOBODY, (i) => [i.seriesId]),
  a('metric_series', 'DELETE', 'DELETE FROM vigil.metric_series WHERE id = $1', ADMIN, (i) => [i.spareSeriesId]),

  a('metric_samples', 'SELECT', 'SELECT * FROM vigil.metric_samples', READERS),
  a('metric_samples', 'INSERT', `INSERT INTO vigil.metric_samples (series_id, ts, value) VALUES ($1, ${now}, 1)`, WRITERS, (i) => [i.seriesId]),
  a('metric_samples', 'UPDATE', 'UPDATE vigil.metric_samples SET value = 0 WHERE series_id = $1', NOBODY, (i) => [i.seriesId]),
  a('metric_samples', 'DELETE', 'DELETE FROM vigil.metric_samples WHERE series_id = $1', ADMIN, (i) => [i.seriesId]),

  a('error_logs', 'SELECT', 'SELECT * FROM vigil.error_logs', READERS),
  a('error_logs', 'INSERT', `INSERT INTO vigil.error_logs (server_id, ts, severity, message) VALUES ($1, ${now}, 3, 'm')`, WRITERS, (i) => [i.serverId]),
  a('error_logs', 'UPDATE', `UPDATE vigil.error_logs SET message = 'edited' WHERE server_id = $1`, NOBODY, (i) => [i.serverId]),
  a('error_logs', 'DELETE', 'DELETE FROM vigil.error_logs WHERE server_id = $1', ADMIN, (i) => [i.serverId]),

  a('users', 'SELECT', 'SELECT * FROM vigil.users', ADMIN),
  a('users', 'SELECT (id, username, role, disabled_at)', 'SELECT id, username, role, disabled_at FROM vigil.users', READERS),
  a('users', 'INSERT', `INSERT INTO vigil.users (username, role) VALUES ('matrix-user', 'readonly')`, ADMIN),
  a('users', 'UPDATE', `UPDATE vigil.users SET disabled_at = ${now} WHERE id = $1`, ADMIN, (i) => [i.userId]),
  a('users', 'DELETE', 'DELETE FROM vigil.users WHERE id = $1', ADMIN, (i) => [i.userId]),

  a('api_tokens', 'SELECT', 'SELECT * FROM vigil.api_tokens', ADMIN),
  a('api_tokens', 'INSERT', `INSERT INTO vigil.api_tokens (user_id, token_hash, prefix) VALUES ($1, decode(repeat('ab', 32), 'hex'), 'vgl_matrix')`, ADMIN, (i) => [i.userId]),
  a('api_tokens', 'UPDATE', `UPDATE vigil.api_tokens SET revoked_at = ${now} WHERE id = $1`, ADMIN, (i) => [i.tokenId]),
  a('api_tokens', 'DELETE', 'DELETE FROM vigil.api_tokens WHERE id = $1', ADMIN, (i) => [i.tokenId]),

  // Written by Vigil itself as the owner; nobody may forge or erase the audit trail.
  a('user_access_logs', 'SELECT', 'SELECT * FROM vigil.user_access_logs', ADMIN),
  a('user_access_logs', 'INSERT', `INSERT INTO vigil.user_access_logs (method, path, status) VALUES ('GET', '/x', 200)`, NOBODY),
  a('user_access_logs', 'UPDATE', 'UPDATE vigil.user_access_logs SET status = 200', NOBODY),
  a('user_access_logs', 'DELETE', 'DELETE FROM vigil.user_access_logs', NOBODY),

  a('alerts_configuration', 'SELECT', 'SELECT * FROM vigil.alerts_configuration', READERS),
  a('alerts_configuration', 'INSERT', `INSERT INTO vigil.alerts_configuration (name, metric, operator, threshold) VALUES ('matrix rule', 'cpu_usage', '>', 1)`, ADMIN),
  a('alerts_configuration', 'UPDATE', 'UPDATE vigil.alerts_configuration SET threshold = 95 WHERE id = $1', ADMIN, (i) => [i.ruleId]),
  a('alerts_configuration', 'DELETE', 'DELETE FROM vigil.alerts_configuration WHERE id = $1', ADMIN, (i) => [i.ruleId]),

  a('alerts_history', 'SELECT', 'SELECT * FROM vigil.alerts_history', READERS),
  a('alerts_history', 'INSERT', `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at) VALUES ($1, $2, 'pending', 'info', ${now})`, ADMIN, (i) => [i.ruleId, i.spareServerId]),
  a('alerts_history', 'UPDATE (acknowledged_by, acknowledged_at)', `UPDATE vigil.alerts_history SET acknowledged_by = $2, acknowledged_at = ${now} WHERE rule_id = $1`, MANAGERS, (i) => [i.ruleId, i.userId]),
  a('alerts_history', 'UPDATE (incident_id)', 'UPDATE vigil.alerts_history SET incident_id = $2 WHERE rule_id = $1', MANAGERS, (i) => [i.ruleId, i.incidentId]),
  a('alerts_history', 'UPDATE (state …)', `UPDATE vigil.alerts_history SET state = 'firing', fired_at = ${now} WHERE rule_id = $1`, ADMIN, (i) => [i.ruleId]),
  a('alerts_history', 'DELETE', 'DELETE FROM vigil.alerts_history WHERE rule_id = $1', ADMIN, (i) => [i.ruleId]),

  a('incidents', 'SELECT', 'SELECT * FROM vigil.incidents', READERS),
  // Column by column (0054): what a person chooses; a trigger stamps source, created_by/_at.
  a('incidents', 'INSERT (title, summary, severity, region, assignee_id …)', `INSERT INTO vigil.incidents (title, summary, severity, region, assignee_id, escalation_policy_id, next_escalation_at) VALUES ('matrix', '', 'info', 'eu', $1, NULL, NULL)`, MANAGERS, (i) => [i.userId]),
  a('incidents', 'INSERT (created_at)', `INSERT INTO vigil.incidents (title, severity, created_at) VALUES ('matrix', 'info', ${now} - interval '1 day')`, NOBODY),
  a('incidents', 'INSERT (created_by, source)', `INSERT INTO vigil.incidents (title, severity, created_by, source) VALUES ('matrix', 'info', $1, 'alert')`, NOBODY, (i) => [i.userId]),
  // Column by column (0053): the lifecycle API's columns only, see COLUMN_GRANTS.
  a('incidents', 'UPDATE (status, acknowledged_*, resolved_*)', `UPDATE vigil.incidents SET status = 'acknowledged', acknowledged_at = ${now}, acknowledged_by = $2 WHERE id = $1`, MANAGERS, (i) => [i.incidentId, i.userId]),
  a('incidents', 'UPDATE (title, summary, severity, assignee_id)', `UPDATE vigil.incidents SET title = 'edited', summary = 's', severity = 'warning', assignee_id = $2 WHERE id = $1`, MANAGERS, (i) => [i.incidentId, i.userId]),
  a('incidents', 'UPDATE (escalation_policy_id, escalation_step …)', `UPDATE vigil.incidents SET escalation_policy_id = NULL, escalation_step = NULL, escalation_repeats_done = 0, next_escalation_at = NULL WHERE id = $1`, MANAGERS, (i) => [i.incidentId]),
  a('incidents', 'UPDATE (created_at)', `UPDATE vigil.incidents SET created_at = created_at - interval '1 day' WHERE id = $1`, NOBODY, (i) => [i.incidentId]),
  a('incidents', 'UPDATE (created_by, source, region)', `UPDATE vigil.incidents SET created_by = NULL, source = 'alert', region = 'forged' WHERE id = $1`, NOBODY, (i) => [i.incidentId]),
  a('incidents', 'DELETE', 'DELETE FROM vigil.incidents WHERE id = $1', ADMIN, (i) => [i.spareIncidentId]),

  // Append-only: a trigger refuses UPDATE and DELETE even to the owner.
  a('incident_response_logs', 'SELECT', 'SELECT * FROM vigil.incident_response_logs', MANAGERS),
  a('incident_response_logs', 'INSERT', `INSERT INTO vigil.incident_response_logs (incident_id, action) VALUES ($1, 'note_added')`, MANAGERS, (i) => [i.incidentId]),
  a('incident_response_logs', 'UPDATE', `UPDATE vigil.incident_response_logs SET details = '{}'`, NOBODY),
  a('incident_response_logs', 'DELETE', 'DELETE FROM vigil.incident_response_logs', NOBODY),

  a('anomalies', 'SELECT', 'SELECT * FROM vigil.anomalies', READERS),
  a('anomalies', 'INSERT', `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method) VALUES ($1, ${now}, '{cpu_usage}', 0.5, 'seasonal')`, ADMIN, (i) => [i.serverId]),
  a('anomalies', 'UPDATE', `UPDATE vigil.anomalies SET explanation = 'x' WHERE server_id = $1`, ADMIN, (i) => [i.serverId]),
  a('anomalies', 'DELETE', 'DELETE FROM vigil.anomalies WHERE server_id = $1', ADMIN, (i) => [i.serverId]),

  // Notification channels: admin's; everybody else sees which exist, without their sealed secret
  // or their settings (recipients' addresses, webhook targets: 0043).
  a('notification_channels', 'SELECT', 'SELECT * FROM vigil.notification_channels', ADMIN),
  a('notification_channels', 'SELECT (settings)', 'SELECT settings FROM vigil.notification_channels', ADMIN),
  a('notification_channels', 'SELECT (id, name, kind, send_resolved, enabled …)', 'SELECT id, name, kind, send_resolved, enabled, created_at, updated_at FROM vigil.notification_channels', READERS),
  a('notification_channels', 'INSERT', `INSERT INTO vigil.notification_channels (name, kind) VALUES ('matrix-hook', 'webhook')`, ADMIN),
  a('notification_channels', 'UPDATE', 'UPDATE vigil.notification_channels SET enabled = false WHERE id = $1', ADMIN, (i) => [i.channelId]),
  a('notification_channels', 'DELETE', 'DELETE FROM vigil.notification_channels WHERE id = $1', ADMIN, (i) => [i.channelId]),

  // The outbox is written by the alert engine and the delivery worker (the owner); admin requeues
  // or drops dead letters but cannot forge or rewrite a notification.
  // Only admin reads the table: a literal email:<address> target sits in channel_name and
  // last_error. The others read it through the notification_deliveries view, which hides it (0044).
  a('notification_outbox', 'SELECT', 'SELECT * FROM vigil.notification_outbox', ADMIN),
  a('notification_deliveries (view)', 'SELECT', 'SELECT * FROM vigil.notification_deliveries', READERS),
  a('notification_outbox', 'INSERT', `INSERT INTO vigil.notification_outbox (channel_name, source, dedup_key, payload, next_attempt_at, created_at) VALUES ('matrix-hook', 'test', 'matrix', '{}', ${now}, ${now})`, NOBODY),
  a('notification_outbox', 'UPDATE (state, attempts, next_attempt_at …)', `UPDATE vigil.notification_outbox SET state = 'pending', attempts = 0, next_attempt_at = ${now} WHERE id = $1`, ADMIN, (i) => [i.outboxId]),
  a('notification_outbox', 'UPDATE (payload …)', `UPDATE vigil.notification_outbox SET payload = '{}' WHERE id = $1`, NOBODY, (i) => [i.outboxId]),
  a('notification_outbox', 'DELETE', 'DELETE FROM vigil.notification_outbox WHERE id = $1', ADMIN, (i) => [i.outboxId]),

  a('alert_silences', 'SELECT', 'SELECT * FROM vigil.alert_silences', READERS),
  a('alert_silences', 'INSERT', `INSERT INTO vigil.alert_silences (matchers, starts_at, ends_at) VALUES ('[{"name":"alertname","op":"=","value":"x"}]', ${now}, ${now} + interval '1 hour')`, MANAGERS),
  a('alert_silences', 'UPDATE', `UPDATE vigil.alert_silences SET ends_at = starts_at + interval '1 minute' WHERE id = $1`, MANAGERS, (i) => [i.silenceId]),
  a('alert_silences', 'DELETE', 'DELETE FROM vigil.alert_silences WHERE id = $1', MANAGERS, (i) => [i.silenceId]),

  a('maintenance_windows', 'SELECT', 'SELECT * FROM vigil.maintenance_windows', READERS),
  a('maintenance_windows', 'INSERT', `INSERT INTO vigil.maintenance_windows (name, cron, duration_seconds) VALUES ('matrix window', '0 2 * * 6', 3600)`, MANAGERS),
  a('maintenance_windows', 'UPDATE', 'UPDATE vigil.maintenance_windows SET enabled = false WHERE id = $1', MANAGERS, (i) => [i.windowId]),
  a('maintenance_windows', 'DELETE', 'DELETE FROM vigil.maintenance_windows WHERE id = $1', MANAGERS, (i) => [i.windowId]),

  // Policies: admin writes them, devops reads them (who gets paged), readonly nothing.
  a('escalation_policies', 'SELECT', 'SELECT * FROM vigil.escalation_policies', MANAGERS),
  a('escalation_policies', 'INSERT', `INSERT INTO vigil.escalation_policies (name) VALUES ('matrix-policy')`, ADMIN),
  a('escalation_policies', 'UPDATE', `UPDATE vigil.escalation_policies SET description = 'x' WHERE id = $1`, ADMIN, (i) => [i.policyId]),
  a('escalation_policies', 'DELETE', 'DELETE FROM vigil.escalation_policies WHERE id = $1', ADMIN, (i) => [i.policyId]),

  a('escalation_policy_steps', 'SELECT', 'SELECT * FROM vigil.escalation_policy_steps', MANAGERS),
  a('escalation_policy_steps', 'INSERT', `INSERT INTO vigil.escalation_policy_steps (policy_id, position, channels, wait_minutes) VALUES ($1, 1, '{ops}', 5)`, ADMIN, (i) => [i.policyId]),
  a('escalation_policy_steps', 'UPDATE', 'UPDATE vigil.escalation_policy_steps SET wait_minutes = 10 WHERE policy_id = $1', ADMIN, (i) => [i.policyId]),
  a('escalation_policy_steps', 'DELETE', 'DELETE FROM vigil.escalation_policy_steps WHERE policy_id = $1', ADMIN, (i) => [i.policyId]),

  // Postmortems carry the timeline: devops and up, like incident_response_logs; deleted only
  // with their incident.
  a('incident_postmortems', 'SELECT', 'SELECT * FROM vigil.incident_postmortems', MANAGERS),
  a('incident_postmortems', 'INSERT', 'INSERT INTO vigil.incident_postmortems (incident_id) VALUES ($1)', MANAGERS, (i) => [i.spareIncidentId]),
  a('incident_postmortems', 'UPDATE', `UPDATE vigil.incident_postmortems SET summary = 'x' WHERE incident_id = $1`, MANAGERS, (i) => [i.incidentId]),
  a('incident_postmortems', 'DELETE', 'DELETE FROM vigil.incident_postmortems WHERE incident_id = $1', NOBODY, (i) => [i.incidentId]),

  // devops tunes and mutes detection; only the runner (the owner) moves the scoring watermark.
  a('anomaly_settings', 'SELECT', 'SELECT * FROM vigil.anomaly_settings', READERS),
  a('anomaly_settings', 'INSERT', 'INSERT INTO vigil.anomaly_settings (server_id, muted) VALUES ($1, true)', MANAGERS, (i) => [i.spareServerId]),
  a('anomaly_settings', 'UPDATE', 'UPDATE vigil.anomaly_settings SET sensitivity = 2 WHERE server_id = $1', MANAGERS, (i) => [i.serverId]),
  a('anomaly_settings', 'DELETE', 'DELETE FROM vigil.anomaly_settings WHERE server_id = $1', MANAGERS, (i) => [i.serverId]),

  a('anomaly_state', 'SELECT', 'SELECT * FROM vigil.anomaly_state', READERS),
  a('anomaly_state', 'INSERT', `INSERT INTO vigil.anomaly_state (server_id, scored_to) VALUES ($1, ${now})`, NOBODY, (i) => [i.spareServerId]),
  a('anomaly_state', 'UPDATE', `UPDATE vigil.anomaly_state SET scored_to = ${now} WHERE server_id = $1`, NOBODY, (i) => [i.serverId]),
  a('anomaly_state', 'DELETE', 'DELETE FROM vigil.anomaly_state WHERE server_id = $1', NOBODY, (i) => [i.serverId]),
  // Only Vigil itself (the owner) pages: no role reads or writes pending page requests.
  a('incident_page_requests', 'SELECT', 'SELECT * FROM vigil.incident_page_requests', NOBODY),
  a('incident_page_requests', 'INSERT', `INSERT INTO vigil.incident_page_requests (incident_id, channel, dedup_key, title, body, severity, created_at, next_emit_at) VALUES ($1, 'ops', 'k', 't', 'b', 'info', ${now}, ${now})`, NOBODY, (i) => [i.incidentId]),
  a('incident_page_requests', 'UPDATE', 'UPDATE vigil.incident_page_requests SET emits = 2 WHERE incident_id = $1', NOBODY, (i) => [i.incidentId]),
  a('incident_page_requests', 'DELETE', 'DELETE FROM vigil.incident_page_requests WHERE incident_id = $1', NOBODY, (i) => [i.incidentId]),

  // Rollups, their markers and watermarks, and the dashboard views: read by every role but ingest,
  // written only by the rollups job (the owner). ingest's rows reach the markers through a
  // SECURITY DEFINER trigger, not a grant.
  a('metrics_hourly', 'SELECT', 'SELECT * FROM vigil.metrics_hourly', READERS),
  a('metrics_hourly', 'INSERT', `INSERT INTO vigil.metrics_hourly (server_id, bucket, samples, up_slots, first_ts, last_ts) VALUES ($1, date_trunc('hour', ${now}, 'UTC') - interval '1 hour', 1, 1, ${now}, ${now})`, NOBODY, (i) => [i.serverId]),
  a('metrics_hourly', 'UPDATE', 'UPDATE vigil.metrics_hourly SET samples = 1 WHERE server_id = $1', NOBODY, (i) => [i.serverId]),
  a('metrics_hourly', 'DELETE', 'DELETE FROM vigil.metrics_hourly WHERE server_id = $1', NOBODY, (i) => [i.serverId]),

  a('metrics_daily', 'SELECT', 'SELECT * FROM vigil.metrics_daily', READERS),
  a('metrics_daily', 'INSERT', `INSERT INTO vigil.metrics_daily (server_id, bucket, samples, up_slots, first_ts, last_ts) VALUES ($1, date_trunc('day', ${now}, 'UTC') - interval '1 day', 1, 1, ${now}, ${now})`, NOBODY, (i) => [i.serverId]),
  a('metrics_daily', 'UPDATE', 'UPDATE vigil.metrics_daily SET samples = 1 WHERE server_id = $1', NOBODY, (i) => [i.serverId]),
  a('metrics_daily', 'DELETE', 'DELETE FROM vigil.metrics_daily WHERE server_id = $1', NOBODY, (i) => [i.serverId]),

  a('rollup_dirty_hours', 'SELECT', 'SELECT * FROM vigil.rollup_dirty_hours', READERS),
  a('rollup_dirty_hours', 'INSERT', `INSERT INTO vigil.rollup_dirty_hours (bucket, server_ids) VALUES (date_trunc('hour', ${now}), ARRAY[$1::bigint])`, NOBODY, (i) => [i.serverId]),
  a('rollup_dirty_hours', 'UPDATE', `UPDATE vigil.rollup_dirty_hours SET server_ids = '{}'`, NOBODY),
  a('rollup_dirty_hours', 'DELETE', 'DELETE FROM vigil.rollup_dirty_hours', NOBODY),

  a('rollup_dirty_days', 'SELECT', 'SELECT * FROM vigil.rollup_dirty_days', READERS),
  a('rollup_dirty_days', 'INSERT', `INSERT INTO vigil.rollup_dirty_days (bucket, server_ids) VALUES (date_trunc('day', ${now}), ARRAY[$1::bigint])`, NOBODY, (i) => [i.serverId]),
  a('rollup_dirty_days', 'UPDATE', `UPDATE vigil.rollup_dirty_days SET server_ids = '{}'`, NOBODY),
  a('rollup_dirty_days', 'DELETE', 'DELETE FROM vigil.rollup_dirty_days', NOBODY),

  a('rollup_state', 'SELECT', 'SELECT * FROM vigil.rollup_state', READERS),
  a('rollup_state', 'INSERT', `INSERT INTO vigil.rollup_state (stage) VALUES ('hourly') ON CONFLICT DO NOTHING`, NOBODY),
  a('rollup_state', 'UPDATE', `UPDATE vigil.rollup_state SET as_of = ${now} WHERE stage = 'hourly'`, NOBODY),
  a('rollup_state', 'DELETE', `DELETE FROM vigil.rollup_state WHERE stage = 'hourly'`, NOBODY),

  a('mv_fleet_overview (materialized view)', 'SELECT', 'SELECT * FROM vigil.mv_fleet_overview', READERS),
  a('mv_region_hourly (materialized view)', 'SELECT', 'SELECT * FROM vigil.mv_region_hourly', READERS),
  a('mv_top_talkers (materialized view)', 'SELECT', 'SELECT * FROM vigil.mv_top_talkers', READERS),
  a('mv_region_daily (materialized view)', 'SELECT', 'SELECT * FROM vigil.mv_region_daily', READERS),
  a('mv_top_talkers (materialized view)', 'REFRESH', 'REFRESH MATERIALIZED VIEW vigil.mv_top_talkers', NOBODY),

  a('partition_days (view)', 'SELECT', 'SELECT * FROM vigil.partition_days', ALL),
  a('ensure_partitions (function)', 'EXECUTE', `SELECT vigil.ensure_partitions(current_date, current_date + 1)`, WRITERS),
  a('ingest_requests', 'SELECT', 'SELECT * FROM vigil.ingest_requests', ADMIN),
  a('ingest_requests', 'INSERT', `INSERT INTO vigil.ingest_requests (token_id, endpoint, key, body_sha256, response) VALUES ($1, '/api/v1/logs', 'matrix-new-key', decode(repeat('ab', 32), 'hex'), '{}')`, NOBODY, (i) => [i.tokenId]),
  a('ingest_requests', 'UPDATE', `UPDATE vigil.ingest_requests SET response = '{}'`, NOBODY),
  a('ingest_requests', 'DELETE', 'DELETE FROM vigil.ingest_requests', ADMIN),
  a('record_ingest_requests (function)', 'EXECUTE', `SELECT vigil.record_ingest_requests(ARRAY[$1::bigint], ARRAY['/api/v1/logs'], ARRAY['matrix-fn-key'], ARRAY[decode(repeat('cd', 32), 'hex')], ARRAY['{}'::jsonb])`, WRITERS, (i) => [i.tokenId]),
  a('find_ingest_request (function)', 'EXECUTE', `SELECT * FROM vigil.find_ingest_request($1, '/api/v1/logs', 'matrix-key')`, WRITERS, (i) => [i.tokenId]),
  a('schema_migrations', 'SELECT', 'SELECT * FROM vigil.schema_migrations', NOBODY),
];

export const MATRIX_ROLES: readonly Role[] = ALL;

/**
 * Privileges a role holds on some columns of a table only, never on the table: every one there
 * is in the schema, exactly as listed (test/db/roles.test.ts compares with the catalog both
 * ways), so widening a column grant or adding one shows up here and in docs/roles.md.
 */
export interface ColumnGrant {
  table: string;
  privilege: 'SELECT' | 'INSERT' | 'UPDATE';
  role: Role;
  columns: readonly string[];
}

// prettier-ignore
export const COLUMN_GRANTS: ColumnGrant[] = [
  // Who users are (names for assignees), not how to reach them: e-mail is admin-only PII.
  { table: 'users', privilege: 'SELECT', role: 'readonly', columns: ['disabled_at', 'id', 'role', 'username'] },
  { table: 'servers', privilege: 'UPDATE', role: 'ingest', columns: ['environment', 'labels', 'last_seen_at', 'metadata', 'region'] },
  { table: 'alerts_history', privilege: 'UPDATE', role: 'devops', columns: ['acknowledged_at', 'acknowledged_by', 'incident_id'] },
  // What the incident lifecycle API writes as the caller (acknowledge, resolve, reopen, PATCH).
  {
    table: 'incidents',
    privilege: 'UPDATE',
    role: 'devops',
    columns: ['acknowledged_at', 'acknowledged_by', 'assignee_id', 'escalation_policy_id', 'escalation_repeats_done', 'escalation_step', 'next_escalation_at', 'resolved_at', 'resolved_by', 'severity', 'status', 'summary', 'title'],
  },
  // Which channels exist and whether they are on; not whom they reach (settings) nor the secret.
  // What a person chooses when opening an incident (POST /incidents); the rest is stamped (0054).
  { table: 'incidents', privilege: 'INSERT', role: 'devops', columns: ['assignee_id', 'escalation_policy_id', 'next_escalation_at', 'region', 'severity', 'summary', 'title'] },
  { table: 'notification_channels', privilege: 'SELECT', role: 'readonly', columns: ['created_at', 'enabled', 'id', 'kind', 'name', 'send_resolved', 'updated_at'] },
  { table: 'notification_outbox', privilege: 'UPDATE', role: 'admin', columns: ['attempts', 'last_error', 'locked_until', 'next_attempt_at', 'state'] },
];

/** The column grants as a Markdown table, for docs/roles.md. */
export function renderColumnGrants(): string {
  return [
    '| table | privilege | role | only these columns |',
    '|---|---|---|---|',
    ...COLUMN_GRANTS.map(
      (g) =>
        `| \`${g.table}\` | ${g.privilege} | vigil_${g.role} | ${g.columns.map((c) => `\`${c}\``).join(', ')} |`,
    ),
  ].join('\n');
}

/** The matrix as a Markdown table, for docs/roles.md. */
export function renderRoleMatrix(): string {
  const head = `| table | action | ${MATRIX_ROLES.map((r) => `vigil_${r}`).join(' | ')} |`;
  const rule = `|---|---|${MATRIX_ROLES.map(() => ':-:').join('|')}|`;
  const rows = ROLE_MATRIX.map(
    (m) =>
      `| \`${m.table}\` | ${m.action} | ${MATRIX_ROLES.map((r) => (m.allowed.includes(r) ? 'yes' : '—')).join(' | ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}
