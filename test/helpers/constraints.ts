// Table-driven constraint tests: for each table a row the schema accepts, and a list of
// one-field changes to it that PostgreSQL must refuse with a given SQLSTATE and constraint. Every
// case runs in its own rolled-back transaction, so cases cannot influence each other, and each
// table's suite also checks that every CHECK and FOREIGN KEY it declares is exercised by a case.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Pool, PoolClient } from '../../src/db/pool.ts';
import {
  assertRefused,
  ensureTodayPartitions,
  insertedId,
  insertRow,
  type Row,
  seedRule,
  seedServer,
  seedUser,
} from './sql.ts';

/** Rows that exist before any case runs, for foreign keys and duplicate checks. */
export interface Fixtures {
  serverId: number;
  otherServerId: number;
  hostname: string;
  seriesId: number;
  fleetSeriesId: number;
  userId: number;
  username: string;
  tokenId: number;
  tokenHash: Buffer;
  ruleId: number;
  ruleName: string;
  incidentId: number;
  /** A timestamp (today) at which server_metrics, metric_samples and anomalies already have a row. */
  takenTs: Date;
}

export interface RefusalCase {
  name: string;
  /** Changes to the valid row. */
  change: Row | ((f: Fixtures) => Row);
  sqlstate: string;
  constraint?: string | RegExp;
  message?: RegExp;
}

export interface TableCases {
  table: string;
  valid: (f: Fixtures) => Row;
  refused: RefusalCase[];
  /** Runs in each case's transaction before the INSERT (e.g. to free a key a migration seeded). */
  prepare?: (c: PoolClient) => Promise<unknown>;
}

export const MISSING_ID = 987_654_321;
export const long = (n: number, ch = 'x'): string => ch.repeat(n);
/** A JSON object of about `bytes` bytes that does not compress away. */
export const bigJson = (bytes: number): string =>
  JSON.stringify({ blob: randomBytes(bytes / 2).toString('hex') });

export async function seedFixtures(pool: Pool): Promise<Fixtures> {
  await ensureTodayPartitions(pool);
  const hostname = 'fixture-host';
  const serverId = await seedServer(pool, hostname);
  const otherServerId = await seedServer(pool, 'fixture-other');
  const one = (sql: string, params: unknown[]) => insertedId(pool, sql, params);
  const seriesId = await one(
    `INSERT INTO vigil.metric_series (server_id, name) VALUES ($1, 'fixture_metric') RETURNING id`,
    [serverId],
  );
  const fleetSeriesId = await one(
    `INSERT INTO vigil.metric_series (server_id, name) VALUES (NULL, 'fleet_metric') RETURNING id`,
    [],
  );
  const username = 'fixture-user';
  const userId = await seedUser(pool, username);
  const tokenHash = randomBytes(32);
  const tokenId = await one(
    `INSERT INTO vigil.api_tokens (user_id, token_hash, prefix) VALUES ($1, $2, 'vgl_fixtur') RETURNING id`,
    [userId, tokenHash],
  );
  const ruleName = 'fixture-rule';
  const ruleId = await seedRule(pool, ruleName);
  // The open episode of (rule, server) that a second open episode must collide with.
  await pool.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at)
     VALUES ($1, $2, 'pending', 'warning', now())`,
    [ruleId, serverId],
  );
  const incidentId = await one(
    `INSERT INTO vigil.incidents (title, severity) VALUES ('fixture incident', 'warning') RETURNING id`,
    [],
  );
  await pool.query(`INSERT INTO vigil.incident_response_logs (incident_id, action) VALUES ($1, 'created')`, [
    incidentId,
  ]);
  const takenTs = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  await pool.query(`INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, $2, 1)`, [
    serverId,
    takenTs,
  ]);
  await pool.query(`INSERT INTO vigil.metric_samples (series_id, ts, value) VALUES ($1, $2, 1)`, [
    seriesId,
    takenTs,
  ]);
  await pool.query(
    `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method) VALUES ($1, $2, '{cpu_usage}', 0.5, 'ewma')`,
    [serverId, takenTs],
  );
  return {
    serverId,
    otherServerId,
    hostname,
    seriesId,
    fleetSeriesId,
    userId,
    username,
    tokenId,
    tokenHash,
    ruleId,
    ruleName,
    incidentId,
    takenTs,
  };
}

async function rolledBack(pool: Pool, fn: (c: PoolClient) => Promise<unknown>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

export function describeConstraints(pool: Pool, fixtures: Fixtures, tables: TableCases[]): void {
  for (const spec of tables) {
    describe(`${spec.table} constraints`, () => {
      test('a valid row is accepted', () =>
        rolledBack(pool, async (c) => {
          await spec.prepare?.(c);
          const { rowCount } = await insertRow(c, spec.table, spec.valid(fixtures));
          assert.equal(rowCount, 1);
        }));
      for (const rc of spec.refused) {
        test(`refused: ${rc.name}`, () =>
          rolledBack(pool, async (c) => {
            await spec.prepare?.(c);
            const change = typeof rc.change === 'function' ? rc.change(fixtures) : rc.change;
            await assertRefused(
              insertRow(c, spec.table, { ...spec.valid(fixtures), ...change }),
              rc,
              rc.name,
            );
          }));
      }
      test('every CHECK and FOREIGN KEY of the table has a case', async () => {
        const { rows } = await pool.query<{ conname: string }>(
          `SELECT conname FROM pg_constraint
            WHERE conrelid = to_regclass('vigil.' || $1) AND contype IN ('c', 'f') ORDER BY conname`,
          [spec.table],
        );
        assert.ok(rows.length > 0, `no constraints found on ${spec.table}`);
        const covered = new Set(spec.refused.map((r) => r.constraint).filter((c) => typeof c === 'string'));
        const missing = rows.map((r) => r.conname).filter((n) => !covered.has(n));
        assert.deepEqual(missing, [], `constraints of ${spec.table} without a refusal case`);
      });
    });
  }
}

type Change = RefusalCase['change'];
/** Refused by a CHECK constraint (23514). */
export const check = (name: string, change: Change, constraint: string): RefusalCase => ({
  name,
  change,
  sqlstate: '23514',
  constraint,
});
/** Refused by a FOREIGN KEY (23503). */
export const fk = (name: string, change: Change, constraint: string): RefusalCase => ({
  name,
  change,
  sqlstate: '23503',
  constraint,
});
/** Refused by a UNIQUE constraint or index (23505). */
export const dup = (name: string, change: Change, constraint: string | RegExp): RefusalCase => ({
  name,
  change,
  sqlstate: '23505',
  constraint,
});
/** Refused by NOT NULL (23502). */
export const notNull = (name: string, change: Change): RefusalCase => ({ name, change, sqlstate: '23502' });
