// First start with no users creates `admin` and writes its token to data_dir/admin-token with
// mode 600; later starts create nobody and leave the file alone.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticate } from '../../src/auth/authenticate.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { testConfig } from '../helpers/app.ts';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase();
const config = testConfig(db.url);
const start = () => startVigil({ config, logger: createLogger('silent'), listen: false });

test('first start creates the admin, returns its token once and writes it with mode 600', async () => {
  const vigil = await start();
  try {
    assert.ok(vigil.bootstrapToken, 'a token to print');
    const { token, file } = vigil.bootstrapToken;
    assert.equal(file, join(config.server.data_dir, 'admin-token'));
    assert.equal(readFileSync(file, 'utf8'), `${token}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
    const who = await authenticate(db.pool, token, new Date());
    assert.deepEqual([who.username, who.role], ['admin', 'admin']);
  } finally {
    await vigil.close();
  }
});

test('a second start creates no other admin and leaves the token file as it was', async () => {
  const file = join(config.server.data_dir, 'admin-token');
  const before = readFileSync(file, 'utf8');
  const vigil = await start();
  try {
    assert.equal(vigil.bootstrapToken, null);
  } finally {
    await vigil.close();
  }
  assert.equal(readFileSync(file, 'utf8'), before);
  const { rows } = await db.pool.query('SELECT username, role FROM vigil.users');
  assert.deepEqual(rows, [{ username: 'admin', role: 'admin' }]);
});

test('no admin is bootstrapped into a database that already has users', async () => {
  const other = await testDatabase();
  await other.pool.query(`INSERT INTO vigil.users (username, role) VALUES ('ops', 'devops')`);
  const vigil = await startVigil({
    config: testConfig(other.url),
    logger: createLogger('silent'),
    listen: false,
  });
  try {
    assert.equal(vigil.bootstrapToken, null);
  } finally {
    await vigil.close();
  }
  const { rows } = await other.pool.query(`SELECT count(*)::int AS n FROM vigil.users WHERE role = 'admin'`);
  assert.equal(rows[0].n, 0);
});
