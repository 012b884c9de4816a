// The role matrix at the SQL level: every action in test/helpers/role-matrix.ts runs under every
// application role (SET LOCAL ROLE, as the API does) and must succeed exactly for the roles the
// matrix lists and fail with 42501 for the others. Each action runs in a rolled-back transaction.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Role } from '../../src/core/types.ts';
import { withRole } from '../../src/db/transaction.ts';
import { seedFixtures } from '../helpers/constraints.ts';
import { testDatabase } from '../helpers/database.ts';
import {
  COLUMN_GRANTS,
  MATRIX_ROLES,
  type MatrixIds,
  ROLE_MATRIX,
  renderColumnGrants,
  renderRoleMatrix,
} from '../helpers/role-matrix.ts';
import { insertedId, seedServer } from '../helpers/sql.ts';

const { pool } = await testDatabase();
const f = await seedFixtures(pool);
const one = (sql: string, params: unknown[] = []) => insertedId(pool, sql, params);
await pool.query(
  `INSERT INTO vigil.error_logs (server_id, ts, severity, message) VALUES ($1, now(), 3, 'x')`,
  [f.serverId],
);
await pool.query(`INSERT INTO vigil.user_access_logs (method, path, status) VALUES ('GET', '/', 200)`);
// A row in every feature table, so that each allowed action has something to act on.
const channelId = await one(
  `INSERT INTO vigil.notification_channels (name, kind) VALUES ('matrix-channel', 'webhook') RETURNING id`,
);
const policyId = await one(`INSERT INTO vigil.escalation_policies (name) VALUES ('matrix') RETURNING id`);
// A channel, not the fixture user: a user a step pages cannot be deleted, and DELETE users is a row.
await pool.query(
  `INSERT INTO vigil.escalation_policy_steps (policy_id, position, channels, wait_minutes) VALUES ($1, 0, '{ops}', 5)`,
  [policyId],
);
await pool.query(`INSERT INTO vigil.incident_postmortems (incident_id) VALUES ($1)`, [f.incidentId]);
await pool.query(`INSERT INTO vigil.anomaly_settings (server_id) VALUES ($1)`, [f.serverId]);
await pool.query(`INSERT INTO vigil.anomaly_state (server_id, scored_to) VALUES ($1, now())`, [f.serverId]);
for (const [table, unit] of [
  ['metrics_hourly', 'hour'],
  ['metrics_daily', 'day'],
] as const) {
  await pool.query(
    `INSERT INTO vigil.${table} (server_id, bucket, samples, up_slots, first_ts, last_ts, network_in_bytes_sum)
     VALUES ($1, date_trunc('${unit}', now(), 'UTC'), 1, 1, now(), now(), 100)`,
    [f.serverId],
  );
}
await pool.query(
  `INSERT INTO vigil.rollup_dirty_days (bucket, server_ids) VALUES (current_date, ARRAY[$1::bigint])`,
  [f.serverId],
);
await pool.query(
  `INSERT INTO vigil.ingest_requests (token_id, endpoint, key, body_sha256, response)
   VALUES ($1, '/api/v1/logs', 'matrix-key', decode(repeat('ab', 32), 'hex'), '{}')`,
  [f.tokenId],
);
for (const view of ['mv_fleet_overview', 'mv_region_hourly', 'mv_top_talkers', 'mv_region_daily'])
  await pool.query(`REFRESH MATERIALIZED VIEW vigil.${view}`);
const ids: MatrixIds = {
  serverId: f.serverId,
  spareServerId: await seedServer(pool, 'matrix-spare'),
  seriesId: f.seriesId,
  spareSeriesId: f.fleetSeriesId,
  userId: f.userId,
  tokenId: f.tokenId,
  ruleId: f.ruleId,
  incidentId: f.incidentId,
  spareIncidentId: await one(
    `INSERT INTO vigil.incidents (title, severity) VALUES ('spare', 'info') RETURNING id`,
  ),
  channelId,
  outboxId: await one(
    `INSERT INTO vigil.notification_outbox (channel_id, channel_name, source, dedup_key, payload, state,
                                           next_attempt_at, created_at, last_error)
     VALUES ($1, 'matrix-channel', 'test', 'matrix', '{}', 'dead', now(), now(), 'attempt 3: HTTP 500') RETURNING id`,
    [channelId],
  ),
  silenceId: await one(
    `INSERT INTO vigil.alert_silences (matchers, starts_at, ends_at)
     VALUES ('[{"name":"alertname","op":"=","value":"x"}]', now(), now() + interval '1 hour') RETURNING id`,
  ),
  windowId: await one(
    `INSERT INTO vigil.maintenance_windows (name, cron, duration_seconds) VALUES ('matrix', '0 2 * * 6', 3600) RETURNING id`,
  ),
  policyId,
};

class Rollback extends Error {}

/** "allowed" when the statement worked on at least one row, "denied" on 42501, else the error. */
async function outcome(role: Role, sql: string, params: unknown[]): Promise<string> {
  let rows = -1;
  try {
    await withRole(pool, role, async (c) => {
      rows = (await c.query(sql, params)).rowCount ?? 0;
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) {
      const pgErr = e as { code?: string; message: string };
      return pgErr.code === '42501' ? 'denied' : `error ${pgErr.code}: ${pgErr.message}`;
    }
  }
  // An allowed action that touched nothing proves nothing: the fixtures must give it a row.
  return rows > 0 ? 'allowed' : `allowed but affected ${rows} rows`;
}

for (const role of MATRIX_ROLES) {
  test(`vigil_${role}: allowed actions succeed, all others are refused with 42501`, async () => {
    const actual: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const m of ROLE_MATRIX) {
      const key = `${m.action} ${m.table}`;
      actual[key] = await outcome(role, m.sql, m.params?.(ids) ?? []);
      expected[key] = m.allowed.includes(role) ? 'allowed' : 'denied';
    }
    assert.deepEqual(actual, expected);
  });
}

test('the matrix covers SELECT, INSERT, UPDATE and DELETE of every table in schema vigil', async () => {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'vigil' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND c.relname <> 'schema_migrations' ORDER BY 1`,
  );
  assert.ok(rows.length >= 13);
  const missing = rows.flatMap(({ t }) =>
    ['SELECT', 'INSERT', 'UPDATE', 'DELETE']
      .filter((verb) => !ROLE_MATRIX.some((m) => m.table === t && m.action.startsWith(verb)))
      .map((verb) => `${verb} ${t}`),
  );
  assert.deepEqual(missing, [], 'add these to test/helpers/role-matrix.ts, then run npm run docs');
});

test('the matrix covers SELECT of every view and materialized view in schema vigil', async () => {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'vigil' AND c.relkind IN ('v', 'm') ORDER BY 1`,
  );
  assert.ok(rows.length >= 4);
  const missing = rows
    .map(({ t }) => t)
    .filter((t) => !ROLE_MATRIX.some((m) => m.table.split(' ')[0] === t && m.action === 'SELECT'));
  assert.deepEqual(missing, [], 'add these to test/helpers/role-matrix.ts, then run npm run docs');
});

test('column grants in the catalog are exactly COLUMN_GRANTS, with no table-wide grant beside them', async () => {
  const { rows } = await pool.query<{ t: string; privilege: string; role: string; columns: string[] }>(
    `SELECT c.relname AS t, acl.privilege_type AS privilege, substr(r.rolname, 7) AS role,
            array_agg(a.attname::text ORDER BY a.attname::text) AS columns
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(a.attacl) acl
       JOIN pg_roles r ON r.oid = acl.grantee
      WHERE n.nspname = 'vigil' AND NOT c.relispartition AND r.rolname LIKE 'vigil\\_%'
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const key = (g: { table: string; privilege: string; role: string }) =>
    `${g.table} ${g.privilege} ${g.role}`;
  assert.deepEqual(
    Object.fromEntries(
      rows.map((r) => [key({ table: r.t, privilege: r.privilege, role: r.role }), r.columns]),
    ),
    Object.fromEntries(COLUMN_GRANTS.map((g) => [key(g), [...g.columns].sort()])),
    'change test/helpers/role-matrix.ts (COLUMN_GRANTS) with the grants, then run npm run docs',
  );
  for (const g of COLUMN_GRANTS) {
    const { rows: t } = await pool.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [
      `vigil_${g.role}`,
      `vigil.${g.table}`,
      g.privilege,
    ]);
    assert.equal(t[0]?.ok, false, `${key(g)}: a table-wide grant makes the column list meaningless`);
  }
});

test('docs/roles.md shows exactly this matrix and these column grants', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'roles.md'), 'utf8');
  assert.ok(
    doc.includes(`<!-- role-matrix:start -->\n${renderRoleMatrix()}\n<!-- role-matrix:end -->`),
    'docs/roles.md is out of date: run `npm run docs` (scripts/gen-roles-doc.ts)',
  );
  assert.ok(
    doc.includes(`<!-- column-grants:start -->\n${renderColumnGrants()}\n<!-- column-grants:end -->`),
    'docs/roles.md is out of date: run `npm run docs` (scripts/gen-roles-doc.ts)',
  );
});
