// Each test file gets its own database, cloned from the template that test/run.ts migrated once.
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';
import { createPool, type Pool } from '../../src/db/pool.ts';

export interface TestDatabase {
  pool: Pool;
  url: string;
  name: string;
  /** Run before the database is dropped (stop apps that use it first, so none of their
   * connections is cut mid-query). */
  beforeDrop: (() => Promise<unknown>)[];
}

function env(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run tests through \`npm test\` (test/run.ts), which starts PostgreSQL`,
    );
  return v;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: env('VIGIL_TEST_ADMIN_URL') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database made by `create` (given its name), dropped when the file's tests end. */
async function scratchDatabase(create: (name: string) => string, poolSize: number): Promise<TestDatabase> {
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(create(name));
  const u = new URL(env('VIGIL_TEST_ADMIN_URL'));
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = createPool({ url, max: poolSize });
  const beforeDrop: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const fn of beforeDrop.reverse()) await fn().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  });
  return { pool, url, name, beforeDrop };
}

/** A fresh, migrated database for this test file, cloned from the run's template. */
export function testDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const template = pg.escapeIdentifier(env('VIGIL_TEST_TEMPLATE'));
  return scratchDatabase((name) => `CREATE DATABASE ${name} TEMPLATE ${template}`, options.poolSize ?? 5);
}

/** A new empty database (not migrated), for migration tests. */
export function emptyDatabase(): Promise<TestDatabase> {
  return scratchDatabase((name) => `CREATE DATABASE ${name}`, 5);
}
