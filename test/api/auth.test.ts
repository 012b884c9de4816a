import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';

const app = await testApp();
const inject = app.vigil.app.inject.bind(app.vigil.app);

test('healthz answers with the database up and the schema current', async () => {
  const res = await inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok', database: 'up', schema: 'current' });
});

test('a request without a token is refused with 401 and a reason', async () => {
  const res = await inject({ method: 'GET', url: '/api/v1/me' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'UNAUTHENTICATED');
  assert.match(res.json().error.message, /Authorization: Bearer/);
});

test('malformed and unknown tokens are refused with 401', async () => {
  for (const authorization of ['Bearer nope', `Bearer vgl_${'A'.repeat(43)}`, 'Basic !!!']) {
    const res = await inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
    assert.equal(res.statusCode, 401, authorization);
  }
});

test('a token identifies its user and role', async () => {
  const res = await inject({ method: 'GET', url: '/api/v1/me', headers: app.as('devops') });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { user_id: res.json().user_id, username: 'test-devops', role: 'devops' });
});

test('a readonly token gets 403 on a write because PostgreSQL answered 42501', async () => {
  const res = await inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: app.as('readonly'),
    payload: { username: 'mallory', role: 'admin' },
  });
  assert.equal(res.statusCode, 403);
  const body = res.json();
  assert.equal(body.error.code, 'FORBIDDEN');
  assert.equal(body.error.details.sqlstate, '42501');
  const { rows } = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.users WHERE username = 'mallory'`,
  );
  assert.equal(rows[0].n, 0);
});

test('an admin creates a user whose token works once shown, and revoking it stops it', async () => {
  const created = await inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: app.as('admin'),
    payload: { username: 'bob', role: 'readonly' },
  });
  assert.equal(created.statusCode, 201);
  const { token, token_id: tokenId } = created.json();
  assert.match(token, /^vgl_[A-Za-z0-9_-]{43}$/);
  const stored = await app.db.pool.query('SELECT token_hash FROM vigil.api_tokens WHERE id = $1', [tokenId]);
  assert.notEqual(stored.rows[0].token_hash.toString('utf8'), token, 'only a hash is stored');
  const me = await inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(me.json().username, 'bob');
  const revoked = await inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${tokenId}`,
    headers: app.as('admin'),
  });
  assert.equal(revoked.statusCode, 204, revoked.body);
  const after = await inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(after.statusCode, 401);
});

test('an expired token is refused', async () => {
  const { rows } = await app.db.pool.query(
    `UPDATE vigil.api_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
      WHERE user_id = (SELECT id FROM vigil.users WHERE username = 'test-ingest') RETURNING id`,
  );
  assert.equal(rows.length, 1);
  const res = await inject({ method: 'GET', url: '/api/v1/me', headers: app.as('ingest') });
  assert.equal(res.statusCode, 401);
});

test('requests are recorded in user_access_logs with the IP encrypted', async () => {
  await inject({ method: 'GET', url: '/api/v1/me', headers: app.as('admin'), remoteAddress: '203.0.113.7' });
  // Written in batches a moment after the response (src/auth/access-log.ts).
  const rows = await eventually('the access log entry', async () => {
    const r = await app.db.pool.query(
      `SELECT ip_encrypted, ip_blind_index FROM vigil.user_access_logs WHERE path = '/api/v1/me' ORDER BY id DESC LIMIT 1`,
    );
    return r.rows.length === 1 ? r.rows : null;
  });
  assert.ok(!rows[0].ip_encrypted.toString('latin1').includes('203.0.113.7'));
  assert.equal(app.vigil.ctx.cipher.decrypt(rows[0].ip_encrypted), '203.0.113.7');
  assert.deepEqual(rows[0].ip_blind_index, app.vigil.ctx.cipher.blindIndex('203.0.113.7'));
});

test('unknown routes answer 404 in the error format', async () => {
  const res = await inject({ method: 'GET', url: '/api/v1/nope', headers: app.as('admin') });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'NOT_FOUND');
});
