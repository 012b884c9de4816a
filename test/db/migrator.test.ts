// The migration runner's refusals and guarantees: an edited file, a newer database, a failing
// file (rolled back whole), and two processes migrating the same database at once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isAppError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { checkSchema, loadMigrations, migrate, type Migration } from '../../src/db/migrator.ts';
import { createPool, type Queryable } from '../../src/db/pool.ts';
import { testConfig } from '../helpers/app.ts';
import { emptyDatabase, testDatabase } from '../helpers/database.ts';

const migration = (version: string, sql: string): Migration => ({
  version,
  sql,
  checksum: createHash('sha256').update(sql).digest('hex'),
});

/** Asserts that `work` fails with an AppError SCHEMA_MISMATCH whose message matches. */
async function assertMismatch(work: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(work, (e: unknown) => {
    assert.ok(isAppError(e), `expected an AppError, got ${String(e)}`);
    assert.equal(e.code, 'SCHEMA_MISMATCH');
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/, 'one line');
    return true;
  });
}

const regclass = async (pool: Queryable, name: string) =>
  (await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t ?? null;

test('a migration whose file changed after it was applied is refused, naming the file', async () => {
  const { pool } = await emptyDatabase();
  const original = migration('0001_things', 'CREATE TABLE vigil.things (id int PRIMARY KEY);');
  assert.deepEqual(await migrate(pool, { migrations: [original] }), ['0001_things']);

  const edited = migration('0001_things', 'CREATE TABLE vigil.things (id bigint PRIMARY KEY);');
  const next = migration('0002_more', 'CREATE TABLE vigil.more (id int);');
  await assertMismatch(
    migrate(pool, { migrations: [edited, next] }),
    /migration 0001_things was changed after it was applied.*put the change in a new migration/,
  );
  await assertMismatch(checkSchema(pool, [edited, next]), /0001_things was changed/);
  assert.equal(await regclass(pool, 'vigil.more'), null, 'nothing after the refusal ran');
  // The original file still passes: the refusal is about the content, not the version.
  assert.deepEqual(await migrate(pool, { migrations: [original] }), []);
});

test('a database with a migration this code does not know is refused by checkSchema and migrate', async () => {
  const { pool } = await testDatabase();
  await pool.query(
    `INSERT INTO vigil.schema_migrations (version, checksum) VALUES ('9999_from_the_future', $1)`,
    ['f'.repeat(64)],
  );
  const newer = /schema is newer than this Vigil \(it has migration 9999_from_the_future.*upgrade Vigil/;
  await assertMismatch(checkSchema(pool), newer);
  await assertMismatch(migrate(pool), newer);
});

test('startVigil refuses a newer database and leaves it as it was', async () => {
  const { pool, url } = await testDatabase();
  await pool.query(
    `INSERT INTO vigil.schema_migrations (version, checksum) VALUES ('9999_from_the_future', $1)`,
    ['f'.repeat(64)],
  );
  await assertMismatch(
    startVigil({ config: testConfig(url), logger: createLogger('silent') }),
    /schema is newer than this Vigil/,
  );
  // Refused before anything else happened: no first admin was created.
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM vigil.users');
  assert.equal(rows[0].n, 0);
});

test('a failing migration is rolled back whole: its objects do not exist and it is not recorded', async () => {
  const { pool } = await emptyDatabase();
  const good = migration('0001_good', 'CREATE TABLE vigil.good (id int);');
  const bad = migration(
    '0002_bad',
    `CREATE TABLE vigil.half (id int);
     INSERT INTO vigil.half VALUES (1);
     ALTER TABLE vigil.good ADD COLUMN note text;
     SELECT 1 / 0;`,
  );
  const after = migration('0003_after', 'CREATE TABLE vigil.after (id int);');
  await assertMismatch(
    migrate(pool, { migrations: [good, bad, after] }),
    /migration 0002_bad failed and was rolled back: division by zero/,
  );
  assert.equal(await regclass(pool, 'vigil.half'), null, 'table of the failed file');
  assert.equal(await regclass(pool, 'vigil.after'), null, 'later files do not run');
  const columns = await pool.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'vigil' AND table_name = 'good'`,
  );
  assert.deepEqual(
    columns.rows.map((r) => r.column_name),
    ['id'],
    'the ALTER of the failed file is undone',
  );
  const { rows } = await pool.query('SELECT version FROM vigil.schema_migrations ORDER BY version');
  assert.deepEqual(
    rows.map((r) => r.version),
    ['0001_good'],
  );
});

test('two processes migrating one empty database at once both succeed and apply each file once', async () => {
  const { pool, url } = await emptyDatabase();
  // A second pool stands for a second Vigil process: its own connections, same database.
  const other = createPool({ url, max: 3 });
  try {
    const all = loadMigrations().map((m) => m.version);
    const [a, b] = await Promise.all([migrate(pool), migrate(other)]);
    // The advisory lock serialises them: one applies everything, the other finds nothing to do.
    assert.deepEqual([...a, ...b].sort(), all);
    assert.ok(a.length === 0 || b.length === 0, `both applied something: ${a.length} and ${b.length}`);
    const { rows } = await pool.query<{ version: string; n: number }>(
      'SELECT version, count(*)::int AS n FROM vigil.schema_migrations GROUP BY version ORDER BY version',
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      all,
    );
    assert.ok(rows.every((r) => r.n === 1));
    assert.deepEqual(await checkSchema(pool), { applied: all, pending: [] });
  } finally {
    await other.end();
  }
});
