// Small helpers for tests that talk SQL directly: build an INSERT from a row object, assert that
// PostgreSQL refused something with a given SQLSTATE (and constraint), and seed the rows most
// schema tests need.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Queryable } from '../../src/db/pool.ts';

export type Row = Record<string, unknown>;

interface PgError {
  code?: string;
  constraint?: string;
  message: string;
}

/** INSERT INTO vigil.<table> (…) VALUES ($1 …) RETURNING *; jsonb values must be passed as JSON text. */
export function insertRow(db: Queryable, table: string, row: Row): Promise<pg.QueryResult> {
  const cols = Object.keys(row);
  const sql = `INSERT INTO vigil.${pg.escapeIdentifier(table)} (${cols.map((c) => pg.escapeIdentifier(c)).join(', ')})
               VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
  return db.query(sql, Object.values(row));
}

/**
 * Awaits `work` and asserts it failed with `sqlstate` (and, when given, the constraint name and a
 * message pattern). Returns the error for further checks.
 */
export async function assertRefused(
  work: Promise<unknown> | (() => Promise<unknown>),
  expected: { sqlstate: string; constraint?: string | RegExp; message?: RegExp },
  label = '',
): Promise<PgError> {
  let error: PgError | undefined;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    error = e as PgError;
  }
  assert.ok(error, `${label}: expected SQLSTATE ${expected.sqlstate}, but the statement succeeded`);
  assert.equal(error.code, expected.sqlstate, `${label}: wrong SQLSTATE (${error.message})`);
  if (typeof expected.constraint === 'string')
    assert.equal(error.constraint, expected.constraint, `${label}: wrong constraint (${error.message})`);
  else if (expected.constraint)
    assert.match(
      error.constraint ?? '',
      expected.constraint,
      `${label}: wrong constraint (${error.message})`,
    );
  if (expected.message) assert.match(error.message, expected.message, label);
  return error;
}

/** Runs an `INSERT … RETURNING id` and returns the id of its first row. */
export async function insertedId(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return ((await db.query<{ id: number }>(sql, params)).rows[0] as { id: number }).id;
}

/** Partitions for yesterday, today and tomorrow (UTC): enough for rows stamped "now". */
export async function ensureTodayPartitions(db: Queryable): Promise<void> {
  await db.query(
    `SELECT vigil.ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1)`,
  );
}

/** A server row; returns its id. */
export async function seedServer(db: Queryable, hostname = `host-${Math.random().toString(36).slice(2, 8)}`) {
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO vigil.servers (hostname) VALUES ($1) RETURNING id',
    [hostname],
  );
  return (rows[0] as { id: number }).id;
}

/** A user row; returns its id. */
export async function seedUser(db: Queryable, username: string, role = 'admin') {
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO vigil.users (username, role) VALUES ($1, $2) RETURNING id',
    [username, role],
  );
  return (rows[0] as { id: number }).id;
}

/** An alert rule on cpu_usage; returns its id. */
export async function seedRule(db: Queryable, name: string) {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO vigil.alerts_configuration (name, metric, operator, threshold) VALUES ($1, 'cpu_usage', '>', 90)
     RETURNING id`,
    [name],
  );
  return (rows[0] as { id: number }).id;
}
