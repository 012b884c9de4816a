// Idempotency-Key on the HTTP ingest endpoints against a real PostgreSQL: error_logs has no
// natural key, so without the key a retried logs batch would be written twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createUserWithToken } from '../../src/auth/users.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { testApp } from '../helpers/app.ts';
import { testBatchWriter } from '../helpers/batch-writer.ts';

const clock = new ManualClock(new Date());
const app = await testApp({ clock });
const inject = app.vigil.app.inject.bind(app.vigil.app);
const now = Date.now();
const q = async (sql: string, params: unknown[] = []) => (await app.db.pool.query(sql, params)).rows;

const logs = (source: string, messages: string[]) => ({
  hostname: 'idem-host',
  entries: messages.map((message, i) => ({ ts: now - 1000 * i, severity: 'err', source, message })),
});
const post = (url: string, payload: unknown, key?: string, token = app.tokens.ingest) =>
  inject({
    method: 'POST',
    url,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    payload: JSON.stringify(payload),
  });
const count = async (source: string) =>
  (await q(`SELECT count(*)::int AS n FROM vigil.error_logs WHERE source = $1`, [source]))[0].n as number;

test('a logs batch posted twice with one key is written once; the retry gets the same answer', async () => {
  const body = logs('idem-twice', ['disk full', 'disk full']);
  const first = await post('/api/v1/logs', body, 'batch-0001');
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  const second = await post('/api/v1/logs', body, 'batch-0001');
  assert.equal(second.statusCode, 200, second.body);
  assert.equal(second.headers['idempotent-replayed'], 'true');
  assert.deepEqual(second.json(), first.json());
  assert.equal(await count('idem-twice'), 2, 'two identical lines are two events, each stored once');
  // The body is compared after decompression: the same data gzipped is the same request.
  const gz = await inject({
    method: 'POST',
    url: '/api/v1/logs',
    headers: {
      ...app.as('ingest'),
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'idempotency-key': 'batch-0001',
    },
    payload: gzipSync(JSON.stringify(body)),
  });
  assert.equal(gz.headers['idempotent-replayed'], 'true', gz.body);
  assert.equal(await count('idem-twice'), 2);
});

test('a replay keeps the per-row errors of the first answer', async () => {
  const body = {
    hostname: 'idem-host',
    entries: [
      { ts: now, severity: 'err', source: 'idem-partial', message: 'kept' },
      { ts: now, severity: 'nonsense', source: 'idem-partial', message: 'refused' },
    ],
  };
  const first = await post('/api/v1/logs', body, 'partial-1');
  assert.equal(first.json().rejected, 1, first.body);
  const second = await post('/api/v1/logs', body, 'partial-1');
  assert.deepEqual(second.json(), first.json());
  assert.equal(await count('idem-partial'), 1);
});

test('the same key with another body is refused with 422 and writes nothing', async () => {
  assert.equal((await post('/api/v1/logs', logs('idem-422', ['a']), 'reused-key')).statusCode, 200);
  const other = await post('/api/v1/logs', logs('idem-422', ['b']), 'reused-key');
  assert.equal(other.statusCode, 422, other.body);
  assert.equal(other.json().error.code, 'IDEMPOTENCY_KEY_REUSED');
  assert.match(other.json().error.message, /reused-key.*different \/api\/v1\/logs request body/);
  assert.equal(await count('idem-422'), 1);
});

test('without a key nothing changes: a repeated logs batch is written again', async () => {
  const body = logs('idem-none', ['x']);
  assert.equal((await post('/api/v1/logs', body)).statusCode, 200);
  const again = await post('/api/v1/logs', body);
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['idempotent-replayed'], undefined);
  assert.equal(await count('idem-none'), 2);
});

test('keys are scoped to the endpoint and to the token', async () => {
  await post('/api/v1/logs', logs('idem-scope', ['one']), 'scoped');
  // Another endpoint may use the same key for its own body.
  const metrics = await post(
    '/api/v1/metrics',
    { hostname: 'idem-host', rows: [{ ts: now, cpu_usage: 1 }] },
    'scoped',
  );
  assert.equal(metrics.statusCode, 200, metrics.body);
  assert.equal(metrics.headers['idempotent-replayed'], undefined);
  // Another token (same role) is never answered from this token's key: its batch is written.
  const { token } = await createUserWithToken(app.db.pool, { username: 'idem-other', role: 'ingest' });
  const other = await post('/api/v1/logs', logs('idem-scope', ['one']), 'scoped', token);
  assert.equal(other.statusCode, 200, other.body);
  assert.equal(other.headers['idempotent-replayed'], undefined);
  assert.equal(await count('idem-scope'), 2);
});

test('two concurrent requests with one key write the rows once', async () => {
  const body = logs('idem-race', ['r1', 'r2', 'r3']);
  const answers = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/logs', body, 'race-key')));
  for (const a of answers) assert.equal(a.statusCode, 200, a.body);
  assert.equal(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length, 5);
  assert.equal(await count('idem-race'), 3);
});

test('malformed keys get 400 with a precise message', async () => {
  for (const key of ['', 'has space', 'x'.repeat(129), 'ümlaut']) {
    const res = await post('/api/v1/logs', logs('idem-bad', ['x']), key);
    assert.equal(res.statusCode, 400, `${JSON.stringify(key)}: ${res.body}`);
    assert.match(res.json().error.message, /Idempotency-Key must be 1 to 128 characters of A-Z a-z 0-9/);
  }
  assert.equal(await count('idem-bad'), 0);
});

test('the expiry job removes keys older than the retention, and an expired key is written again', async () => {
  const body = logs('idem-expiry', ['late retry']);
  await post('/api/v1/logs', body, 'old-key');
  const [{ token_id: tokenId }] = await q(`SELECT token_id FROM vigil.ingest_requests WHERE key = 'old-key'`);
  // A key committed "two hours from now" is inside the retention even after the clock moves.
  await q(
    `INSERT INTO vigil.ingest_requests (token_id, endpoint, key, body_sha256, response, committed_at)
     VALUES ($1, '/api/v1/logs', 'fresh-key', decode(repeat('ab', 32), 'hex'), '{}', now() + interval '2 hours')`,
    [tokenId],
  );
  clock.advance(app.config.ingest.idempotency_retention + 3_600_000);
  await app.vigil.scheduler.runNow('ingest-idempotency-expiry');
  const keys = (await q(`SELECT key FROM vigil.ingest_requests WHERE key IN ('old-key', 'fresh-key')`)).map(
    (r) => r.key,
  );
  assert.deepEqual(keys, ['fresh-key']);
  clock.set(now);
  const again = await post('/api/v1/logs', body, 'old-key');
  assert.equal(again.headers['idempotent-replayed'], undefined);
  assert.equal(await count('idem-expiry'), 2);
});

test('the OpenAPI spec documents the header and the 422', async () => {
  const spec = (await inject({ method: 'GET', url: '/openapi.json' })).json();
  const op = spec.paths['/api/v1/logs'].post;
  const header = op.parameters.find((p: { in: string; name: string }) => p.in === 'header');
  assert.equal(header?.name, 'idempotency-key');
  assert.ok(op.responses['422']);
});

test('a combined batch that fails: each request is retried alone and its key goes with its rows', async () => {
  const { emptyBlock } = await import('../../src/ingest/metric-block.ts');
  const w = testBatchWriter(app, 50); // both requests land in one transaction
  const [{ id: serverId }] = await q(`SELECT id FROM vigil.servers WHERE hostname = 'idem-host'`);
  const [{ id: tokenId }] = await q(`SELECT id FROM vigil.api_tokens ORDER BY id LIMIT 1`);
  const set = (server: number, key: string) => ({
    metrics: emptyBlock(),
    samples: [],
    logs: [
      { serverId: server, tsUs: now * 1000, severity: 3, source: 'idem-combined', message: key, context: {} },
    ],
    idempotency: {
      tokenId,
      endpoint: '/api/v1/logs',
      key,
      bodySha256: Buffer.alloc(32, 1),
      response: { accepted: 1, rejected: 0, errors: [], errors_truncated: false },
    },
  });
  const [good, bad] = await Promise.allSettled([
    w.write('ingest', set(serverId, 'combined-good')),
    w.write('ingest', set(987_654_321, 'combined-bad')),
  ]);
  await w.close();
  assert.equal(good.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  const keys = await q(`SELECT key FROM vigil.ingest_requests WHERE key LIKE 'combined-%'`);
  assert.deepEqual(
    keys.map((r) => r.key),
    ['combined-good'],
  );
  const rows = await q(`SELECT message FROM vigil.error_logs WHERE source = 'idem-combined'`);
  assert.deepEqual(
    rows.map((r) => r.message),
    ['combined-good'],
  );
});
