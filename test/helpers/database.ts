// Each test file gets its own database, cloned from the template that test/run.ts migrated once.
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';
import { createPool, type Pool } from '../../src/db/pool.ts';

export interface TestDatabase {
  pool: Pool;
  url: string;
  name: string;
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

/** A fresh, migrated database for this test file, dropped when the file's tests end. */
export async function testDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${pg.escapeIdentifier(env('VIGIL_TEST_TEMPLATE'))}`);
  const u = new URL(env('VIGIL_TEST_ADMIN_URL'));
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = createPool({ url, max: options.poolSize ?? 5 });
  after(async () => {
    await pool.end().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  });
  return { pool, url, name };
}

/** A new empty database (not migrated), for migration tests. */
export async function emptyDatabase(): Promise<TestDatabase> {
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(env('VIGIL_TEST_ADMIN_URL'));
  u.pathname = `/${name}`;
  const pool = createPool({ url: u.toString(), max: 5 });
  after(async () => {
    await pool.end().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  });
  return { pool, url: u.toString(), name };
}
