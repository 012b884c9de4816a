// A DATABASE_URL whose user lacks privileges stops Vigil with one clear line and leaves the
// database without any half-applied migration.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { isAppError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { testConfig } from '../helpers/app.ts';
import { emptyDatabase } from '../helpers/database.ts';

const adminUrl = process.env.VIGIL_TEST_ADMIN_URL as string;
const roles: string[] = [];

async function admin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const u = new URL(adminUrl);
  if (database) u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A LOGIN role with nothing granted, and the URL of `database` as that role. */
async function loginRole(database: string): Promise<{ name: string; url: string }> {
  const name = `vigil_t_user_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin((c) => c.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`));
  roles.push(name);
  const u = new URL(adminUrl);
  u.username = name;
  u.password = password;
  u.pathname = `/${database}`;
  return { name, url: u.toString() };
}

after(async () => {
  for (const name of roles) {
    await admin(async (c) => {
      const dbs = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'vigil_t_%'`,
      );
      for (const { datname } of dbs.rows) {
        await admin((d) => d.query(`DROP OWNED BY ${name}`), datname).catch(() => undefined);
      }
      await c.query(`DROP ROLE IF EXISTS ${name}`);
    }).catch(() => undefined);
  }
});

async function startRefused(url: string): Promise<string> {
  const start = startVigil({ config: testConfig(url), logger: createLogger('silent'), listen: false });
  let message = '';
  await assert.rejects(start, (e: unknown) => {
    assert.ok(isAppError(e), String(e));
    message = e.message;
    return true;
  });
  assert.doesNotMatch(message, /\n/, 'one line');
  return message;
}

const objects = (database: string) =>
  admin(async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'vigil' ORDER BY 1`,
    );
    const schema = await c.query(`SELECT to_regnamespace('vigil') IS NOT NULL AS present`);
    return { schema: schema.rows[0].present as boolean, relations: rows.map((r) => r.name) };
  }, database);

test('a user without CREATE on the database: one line saying what it needs, nothing created', async () => {
  const db = await emptyDatabase();
  const { url } = await loginRole(db.name);
  const message = await startRefused(url);
  assert.match(
    message,
    /^the database user lacks privileges to migrate \(permission denied for database vigil_t_\w+\)/,
  );
  assert.match(message, /needs CREATE on the database/);
  assert.deepEqual(await objects(db.name), { schema: false, relations: [] });
});

test('a user with CREATE but without the roles (WITH ADMIN OPTION): refused, no migration half-applied', async () => {
  const db = await emptyDatabase();
  const { name, url } = await loginRole(db.name);
  await admin((c) => c.query(`GRANT CREATE ON DATABASE ${db.name} TO ${name}`));
  const message = await startRefused(url);
  assert.match(
    message,
    /lacks privileges to migrate .*0001_schema_and_roles failed and was rolled back: permission denied to grant role/,
  );
  assert.match(message, /ADMIN OPTION/, 'the fix for pre-created roles is named');
  // Only the runner's own bookkeeping exists: no table of any migration, none recorded.
  assert.deepEqual((await objects(db.name)).relations, [
    'vigil.schema_migrations',
    'vigil.schema_migrations_pkey',
  ]);
  const recorded = await admin(
    (c) => c.query('SELECT count(*)::int AS n FROM vigil.schema_migrations'),
    db.name,
  );
  assert.equal(recorded.rows[0].n, 0);
});
