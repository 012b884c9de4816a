import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations, migrate } from '../../src/db/migrator.ts';
import { emptyDatabase } from '../helpers/database.ts';

test('migrations apply from empty to latest, and a second run is a no-op', async () => {
  const { pool } = await emptyDatabase();
  const all = loadMigrations();
  const first = await migrate(pool);
  assert.deepEqual(
    first,
    all.map((m) => m.version),
  );
  const second = await migrate(pool);
  assert.deepEqual(second, []);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM vigil.schema_migrations');
  assert.equal(rows[0].n, all.length);
});
