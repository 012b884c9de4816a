// `vigil user create|list|token|revoke` against a real database: the printed token authenticates
// with its role, listing shows it, revoking stops it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticate } from '../../src/auth/authenticate.ts';
import { TOKEN_PATTERN } from '../../src/auth/tokens.ts';
import { lines, runVigil } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase();
const env = { DATABASE_URL: db.url };

test('vigil user create --role devops prints one token, on stdout, that authenticates as devops', async () => {
  const r = await runVigil(
    ['user', 'create', 'alice', '--role', 'devops', '--email', 'alice@example.com'],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 1, 'stdout is the token alone, so `$(vigil user create …)` captures it');
  const token = out[0] ?? '';
  assert.match(token, TOKEN_PATTERN);
  assert.match(r.stderr, /created user "alice" with role devops/);
  const who = await authenticate(db.pool, token, new Date());
  assert.deepEqual([who.username, who.role], ['alice', 'devops']);
  const stored = await db.pool.query(`SELECT count(*)::int AS n FROM vigil.api_tokens WHERE prefix = $1`, [
    token.slice(0, 10),
  ]);
  assert.equal(stored.rows[0].n, 1);
});

test('vigil user create refuses an unknown role with exit 2 and one line', async () => {
  const r = await runVigil(['user', 'create', 'mallory', '--role', 'superuser'], env);
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), [
    'vigil: --role must be one of admin, devops, readonly, ingest (got "superuser")',
  ]);
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.users WHERE username = 'mallory'`,
  );
  assert.equal(rows[0].n, 0);
});

test('vigil user token issues a second token and vigil user list shows both', async () => {
  const t = await runVigil(['user', 'token', 'alice', '--name', 'laptop', '--expires-in-days', '30'], env);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout.trim(), TOKEN_PATTERN);
  const r = await runVigil(['user', 'list'], env);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = lines(r.stdout);
  assert.match(header ?? '', /^id\s+username\s+role\s+email\s+active_tokens\s+created_at$/);
  const alice = rows.find((l) => /\balice\b/.test(l));
  assert.match(alice ?? '', /^\d+\s+alice\s+devops\s+alice@example\.com\s+2\s+\d{4}-\d\d-\d\dT/);
});

test('vigil user revoke stops every token of the user', async () => {
  const before = await db.pool.query<{ token_hash: Buffer }>(
    `SELECT t.token_hash FROM vigil.api_tokens t JOIN vigil.users u ON u.id = t.user_id WHERE u.username = 'alice'`,
  );
  assert.equal(before.rowCount, 2);
  const r = await runVigil(['user', 'revoke', 'alice'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'revoked 2 tokens of alice');
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.api_tokens t JOIN vigil.users u ON u.id = t.user_id
      WHERE u.username = 'alice' AND t.revoked_at IS NULL`,
  );
  assert.equal(rows[0].n, 0);
  const list = await runVigil(['user', 'list'], env);
  assert.match(lines(list.stdout).find((l) => /\balice\b/.test(l)) ?? '', /\s0\s+\d{4}-/);
});

test('vigil user revoke of an unknown user fails with one line', async () => {
  const r = await runVigil(['user', 'revoke', 'nobody'], env);
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stderr), ['vigil: no user named "nobody"']);
});

test('vigil user create of an existing username fails with one line, not a stack trace', async () => {
  const first = await runVigil(['user', 'create', 'dup', '--role', 'readonly'], env);
  assert.equal(first.code, 0, first.stderr);
  const again = await runVigil(['user', 'create', 'dup', '--role', 'admin'], env);
  assert.equal(again.code, 1);
  assert.deepEqual(lines(again.stderr), [
    'vigil: duplicate key value violates unique constraint "users_username_key" (it exists already)',
  ]);
});
