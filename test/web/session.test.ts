import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionCookie } from '../../src/web/session.ts';
import { testApp } from '../helpers/app.ts';

const app = await testApp();
const inject = app.vigil.app.inject.bind(app.vigil.app);

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const c = res.headers['set-cookie'];
  return Array.isArray(c) ? String(c[0]) : String(c ?? '');
}

test('signing in with a valid token sets an HttpOnly, SameSite=Strict session cookie', async () => {
  const res = await inject({ method: 'POST', url: '/api/v1/session', payload: { token: app.tokens.devops } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().username, 'test-devops');
  assert.equal(res.json().role, 'devops');
  const cookie = cookieOf(res);
  assert.match(cookie, /^vigil_session=vgl_/);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Path=\//);
  assert.doesNotMatch(cookie, /Secure/, 'no Secure flag over plain HTTP');
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('the session cookie is Secure when the server speaks TLS', () => {
  assert.match(sessionCookie('x', { secure: true, maxAge: 60 }), /; Secure$/);
});

test('a wrong token is refused with 401 and sets no cookie', async () => {
  const res = await inject({ method: 'POST', url: '/api/v1/session', payload: { token: 'vgl_nope' } });
  assert.equal(res.statusCode, 401);
  assert.equal(res.headers['set-cookie'], undefined);
});

test('the cookie authenticates API reads', async () => {
  const cookie = `vigil_session=${app.tokens.readonly}`;
  const res = await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().role, 'readonly');
});

test('a cookie-authenticated write without the CSRF header is refused; with it, it goes through', async () => {
  const cookie = `vigil_session=${app.tokens.admin}`;
  const payload = { username: 'carol', role: 'readonly' };
  const refused = await inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error.code, 'FORBIDDEN');
  assert.match(refused.json().error.message, /x-vigil-csrf/);
  const { rows } = await app.db.pool.query(`SELECT 1 FROM vigil.users WHERE username = 'carol'`);
  assert.equal(rows.length, 0, 'nothing was written');
  const ok = await inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { cookie, 'x-vigil-csrf': '1' },
    payload,
  });
  assert.equal(ok.statusCode, 201, ok.body);
});

test('a bearer-token write needs no CSRF header (no browser involved)', async () => {
  const res = await inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: app.as('admin'),
    payload: { username: 'dave', role: 'readonly' },
  });
  assert.equal(res.statusCode, 201, res.body);
});

test('signing out clears the cookie', async () => {
  const cookie = `vigil_session=${app.tokens.admin}`;
  const res = await inject({
    method: 'DELETE',
    url: '/api/v1/session',
    headers: { cookie, 'x-vigil-csrf': '1' },
  });
  assert.equal(res.statusCode, 204);
  assert.match(cookieOf(res), /^vigil_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0/);
});

test('the dashboard is served at / with a strict CSP, and unknown paths fall back to it', async () => {
  const root = await inject({ method: 'GET', url: '/' });
  assert.equal(root.statusCode, 200);
  assert.match(String(root.headers['content-type']), /text\/html/);
  assert.match(root.body, /<div id="app">/);
  assert.match(String(root.headers['content-security-policy']), /default-src 'self'/);
  assert.doesNotMatch(root.body, /https?:\/\//, 'no external (CDN) URL in the page');
  const deep = await inject({ method: 'GET', url: '/servers/12' });
  assert.equal(deep.statusCode, 200);
  assert.match(deep.body, /<div id="app">/);
  const api = await inject({ method: 'GET', url: '/api/v1/nope', headers: app.as('admin') });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().error.code, 'NOT_FOUND');
});

test('bundled assets are served compressed and cached immutably', async () => {
  const root = await inject({ method: 'GET', url: '/' });
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(root.body)?.[1];
  assert.ok(js, 'index.html references a bundled script');
  const res = await inject({ method: 'GET', url: js, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.match(String(res.headers['cache-control']), /immutable/);
});
