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
  a('incidents', 'INSERT', `INSERT INTO vigil.incidents (title, severity) VALUES ('matrix', 'info')`, MANAGERS),
  a('incidents', 'UPDATE', `UPDATE vigil.incidents SET status = 'acknowledged', acknowledged_at = ${now} WHERE id = $1`, MANAGERS, (i) => [i.incidentId]),
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

  a('partition_days (view)', 'SELECT', 'SELECT * FROM vigil.partition_days', ALL),
  a('ensure_partitions (function)', 'EXECUTE', `SELECT vigil.ensure_partitions(current_date, current_date + 1)`, WRITERS),
  a('schema_migrations', 'SELECT', 'SELECT * FROM vigil.schema_migrations', NOBODY),
];

export const MATRIX_ROLES: readonly Role[] = ALL;

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
