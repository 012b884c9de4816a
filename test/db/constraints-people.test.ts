// CHECKs, foreign keys and keys of users, api_tokens and user_access_logs, and what happens to
// tokens and the audit trail when a user is deleted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  MISSING_ID,
  check,
  describeConstraints,
  dup,
  fk,
  long,
  seedFixtures,
} from '../helpers/constraints.ts';
import { testDatabase } from '../helpers/database.ts';
import { seedUser } from '../helpers/sql.ts';

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

const username = 'users_username_check';
const email = 'users_email_check';
const method = 'user_access_logs_method_check';
const status = 'user_access_logs_status_check';
const created = new Date('2026-03-01T00:00:00Z');

describeConstraints(pool, fixtures, [
  {
    table: 'users',
    valid: () => ({ username: 'alice.ops@eu', role: 'devops', email: 'alice@example.com' }),
    refused: [
      check('upper-case username', { username: 'Alice' }, username),
      check('empty username', { username: '' }, username),
      check('username starting with -', { username: '-alice' }, username),
      check('username with a space', { username: 'al ice' }, username),
      check('username of 65 characters', { username: long(65, 'a') }, username),
      check('unknown role', { role: 'root' }, 'users_role_check'),
      check('role spelled like the database role', { role: 'vigil_admin' }, 'users_role_check'),
      check('e-mail without @', { email: 'alice.example.com' }, email),
      check('e-mail with a space', { email: 'al ice@example.com' }, email),
      check('e-mail over 320 characters', { email: `${long(320, 'a')}@x.io` }, email),
      dup('duplicate username', (f) => ({ username: f.username }), 'users_username_key'),
    ],
  },
  {
    table: 'api_tokens',
    valid: (f) => ({ user_id: f.userId, token_hash: randomBytes(32), prefix: 'vgl_abcdef', name: 'ci' }),
    refused: [
      check('hash of 31 bytes', { token_hash: randomBytes(31) }, 'api_tokens_token_hash_check'),
      check('hash of 33 bytes', { token_hash: randomBytes(33) }, 'api_tokens_token_hash_check'),
      check('prefix of 3 characters', { prefix: 'vgl' }, 'api_tokens_prefix_check'),
      check('prefix of 17 characters', { prefix: long(17) }, 'api_tokens_prefix_check'),
      check('name of 101 characters', { name: long(101) }, 'api_tokens_name_check'),
      check(
        'expiry before creation',
        { created_at: created, expires_at: new Date('2026-02-28T00:00:00Z') },
        'api_tokens_check',
      ),
      check('expiry equal to creation', { created_at: created, expires_at: created }, 'api_tokens_check'),
      check(
        'revoked before creation',
        { created_at: created, revoked_at: new Date('2026-02-01T00:00:00Z') },
        'api_tokens_check1',
      ),
      fk('unknown user_id', { user_id: MISSING_ID }, 'api_tokens_user_id_fkey'),
      dup('duplicate hash', (f) => ({ token_hash: f.tokenHash }), 'api_tokens_token_hash_key'),
    ],
  },
  {
    table: 'user_access_logs',
    valid: (f) => ({
      user_id: f.userId,
      token_id: f.tokenId,
      method: 'GET',
      path: '/api/v1/me',
      status: 200,
      ip_encrypted: randomBytes(40),
      ip_blind_index: randomBytes(32),
      user_agent: 'curl/8',
    }),
    refused: [
      check('lower-case method', { method: 'get' }, method),
      check('method of 2 letters', { method: 'GO' }, method),
      check('method of 8 letters', { method: 'PROPFINDX' }, method),
      check('status 99', { status: 99 }, status),
      check('status 600', { status: 600 }, status),
      check('path over 2048 characters', { path: `/${long(2048)}` }, 'user_access_logs_path_check'),
      check(
        'blind index of 16 bytes',
        { ip_blind_index: randomBytes(16) },
        'user_access_logs_ip_blind_index_check',
      ),
      check('user agent over 512 characters', { user_agent: long(513) }, 'user_access_logs_user_agent_check'),
      fk('unknown user_id', { user_id: MISSING_ID }, 'user_access_logs_user_id_fkey'),
      fk('unknown token_id', { token_id: MISSING_ID }, 'user_access_logs_token_id_fkey'),
    ],
  },
  {
    table: 'ingest_requests',
    valid: (f) => ({
      token_id: f.tokenId,
      endpoint: '/api/v1/logs',
      key: 'agent-web-1:0123abcd',
      body_sha256: randomBytes(32),
      response: JSON.stringify({ accepted: 1, rejected: 0 }),
    }),
    // The key a duplicate collides with.
    prepare: (c) =>
      c.query(
        `INSERT INTO vigil.ingest_requests (token_id, endpoint, key, body_sha256, response)
         SELECT id, '/api/v1/logs', 'taken-key', $1, '{}' FROM vigil.api_tokens WHERE prefix = 'vgl_fixtur'`,
        [randomBytes(32)],
      ),
    refused: [
      check('empty key', { key: '' }, 'ingest_requests_key_check'),
      check('key of 129 characters', { key: long(129) }, 'ingest_requests_key_check'),
      check('key with a space', { key: 'a b' }, 'ingest_requests_key_check'),
      check('key with a newline', { key: 'a\nb' }, 'ingest_requests_key_check'),
      check('endpoint outside /api/v1', { endpoint: '/metrics' }, 'ingest_requests_endpoint_check'),
      check('hash of 31 bytes', { body_sha256: randomBytes(31) }, 'ingest_requests_body_sha256_check'),
      check('response that is an array', { response: '[]' }, 'ingest_requests_response_check'),
      fk('unknown token_id', { token_id: MISSING_ID }, 'ingest_requests_token_id_fkey'),
      dup('same token, endpoint and key', { key: 'taken-key' }, 'ingest_requests_pkey'),
    ],
  },
]);

test('deleting a user deletes its tokens but keeps its audit trail, detached', async () => {
  const userId = await seedUser(pool, 'leaver', 'readonly');
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO vigil.api_tokens (user_id, token_hash, prefix) VALUES ($1, $2, 'vgl_leaver') RETURNING id`,
    [userId, randomBytes(32)],
  );
  const tokenId = rows[0]?.id;
  await pool.query(
    `INSERT INTO vigil.user_access_logs (user_id, token_id, method, path, status) VALUES ($1, $2, 'GET', '/x', 200)`,
    [userId, tokenId],
  );
  await pool.query('DELETE FROM vigil.users WHERE id = $1', [userId]);
  const tokens = await pool.query('SELECT 1 FROM vigil.api_tokens WHERE id = $1', [tokenId]);
  assert.equal(tokens.rowCount, 0);
  const log = await pool.query(`SELECT user_id, token_id FROM vigil.user_access_logs WHERE path = '/x'`);
  assert.deepEqual(log.rows, [{ user_id: null, token_id: null }]);
});
