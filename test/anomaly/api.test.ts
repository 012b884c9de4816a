// The anomalies API through app.inject(): filters and ordering, the limit cap, per-server
// settings with PostgreSQL enforcing who may change them, and 400s that name the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { ManualClock } from '../../src/core/clock.ts';
import { testApp } from '../helpers/app.ts';
import { addServer } from './fixtures.ts';

const skip = process.env.VIGIL_TEST_ADMIN_URL ? false : 'needs PostgreSQL: run through npm test';
const app = skip ? undefined : await testApp({ clock: new ManualClock('2026-01-08T00:00:00Z') });
const inject = (opts: InjectOptions) => app!.vigil.app.inject(opts);

let web = '';
let db = '';
if (app) {
  web = await addServer(app.db.pool, 'web-1');
  db = await addServer(app.db.pool, 'db-1');
  // Rows as the runner writes them: three for web-1, one for db-1.
  await app.db.pool.query(
    `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method, explanation)
     VALUES ($1, '2026-01-07T10:00:00Z', '{cpu_usage}', 0.6, 'combined', 'cpu_usage 95 is 9σ above its robust EWMA 30'),
            ($1, '2026-01-07T12:00:00Z', '{memory_usage}', 0.9, 'combined', 'memory_usage recent level is 5σ above its baseline 60'),
            ($1, '2026-01-07T14:00:00Z', '{load_1}', 0.55, 'combined', 'load_1 is 3x more variable than usual'),
            ($2, '2026-01-07T13:00:00Z', '{disk_usage}', 0.7, 'combined', 'disk_usage has been stuck at 40 for 300 samples')`,
    [web, db],
  );
}

test('readonly lists anomalies newest first, filtered by server, time and score', { skip }, async () => {
  const all = await inject({ method: 'GET', url: '/api/v1/anomalies', headers: app!.as('readonly') });
  assert.equal(all.statusCode, 200, all.body);
  const ts = all.json().map((a: { ts: string }) => a.ts);
  assert.deepEqual(ts, [
    '2026-01-07T14:00:00.000Z',
    '2026-01-07T13:00:00.000Z',
    '2026-01-07T12:00:00.000Z',
    '2026-01-07T10:00:00.000Z',
  ]);
  assert.equal(all.json()[1].hostname, 'db-1');

  const q = `server_id=${web}&from=2026-01-07T11:00:00Z&to=2026-01-07T14:00:00Z&min_score=0.5`;
  const some = await inject({ method: 'GET', url: `/api/v1/anomalies?${q}`, headers: app!.as('readonly') });
  assert.equal(some.statusCode, 200, some.body);
  assert.deepEqual(
    some.json().map((a: { metrics: string[]; score: number }) => [a.metrics, a.score]),
    [[['memory_usage'], 0.9]],
  );

  const top = await inject({
    method: 'GET',
    url: '/api/v1/anomalies?min_score=0.65&limit=1',
    headers: app!.as('admin'),
  });
  assert.deepEqual(
    top.json().map((a: { score: number }) => a.score),
    [0.7],
    'the newest of the two above 0.65',
  );
});

test('bad list parameters are refused with 400 naming the field', { skip }, async () => {
  const cases: [string, RegExp][] = [
    ['limit=100000', /limit/],
    ['min_score=2', /min_score/],
    ['from=yesterday', /from/],
    ['server_id=abc', /server_id/],
    ['colour=red', /colour|additional/],
  ];
  for (const [query, field] of cases) {
    const res = await inject({
      method: 'GET',
      url: `/api/v1/anomalies?${query}`,
      headers: app!.as('readonly'),
    });
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(res.json().error), field, query);
  }
  const backwards = await inject({
    method: 'GET',
    url: '/api/v1/anomalies?from=2026-01-07T12:00:00Z&to=2026-01-07T11:00:00Z',
    headers: app!.as('readonly'),
  });
  assert.equal(backwards.statusCode, 400);
  assert.deepEqual(backwards.json().error.details[0].field, 'from');
});

test(
  'settings: defaults until set, devops sets them, readonly gets 403 from PostgreSQL',
  { skip },
  async () => {
    const url = `/api/v1/servers/${web}/anomaly-settings`;
    const before = await inject({ method: 'GET', url, headers: app!.as('readonly') });
    assert.equal(before.statusCode, 200, before.body);
    assert.deepEqual(
      { ...(before.json() as object), server_id: 0 },
      { server_id: 0, sensitivity: 1, muted: false, muted_until: null, customised: false, updated_at: null },
    );

    const denied = await inject({
      method: 'PUT',
      url,
      headers: app!.as('readonly'),
      payload: { muted: true },
    });
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().error.details.sqlstate, '42501');

    const set = await inject({
      method: 'PUT',
      url,
      headers: app!.as('devops'),
      payload: { sensitivity: 2.5, muted_until: '2026-01-08T06:00:00Z' },
    });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().sensitivity, 2.5);
    assert.equal(set.json().muted, false);
    assert.equal(set.json().muted_until, '2026-01-08T06:00:00.000Z');
    assert.equal(set.json().customised, true);

    // Fields left out keep their value; null clears the maintenance window.
    const muted = await inject({
      method: 'PUT',
      url,
      headers: app!.as('admin'),
      payload: { muted: true, muted_until: null },
    });
    assert.deepEqual(
      [muted.json().sensitivity, muted.json().muted, muted.json().muted_until],
      [2.5, true, null],
    );
    const { rows } = await app!.db.pool.query(
      `SELECT sensitivity::float8 AS s, muted FROM vigil.anomaly_settings WHERE server_id = $1`,
      [web],
    );
    assert.deepEqual(rows, [{ s: 2.5, muted: true }]);
  },
);

test('bad settings are refused with 400 naming the field; unknown servers are 404', { skip }, async () => {
  const url = `/api/v1/servers/${db}/anomaly-settings`;
  const cases: [unknown, RegExp][] = [
    [{ sensitivity: 0 }, /sensitivity/],
    [{ sensitivity: 11 }, /sensitivity/],
    [{ muted: 'yes' }, /muted/],
    [{ muted_until: 'tomorrow' }, /muted_until/],
    [{ volume: 3 }, /volume|additional/],
    [{}, /fewer than 1|minProperties/],
  ];
  for (const [payload, field] of cases) {
    const res = await inject({ method: 'PUT', url, headers: app!.as('devops'), payload: payload as object });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.match(JSON.stringify(res.json().error), field, JSON.stringify(payload));
  }
  const { rows } = await app!.db.pool.query(`SELECT 1 FROM vigil.anomaly_settings WHERE server_id = $1`, [
    db,
  ]);
  assert.equal(rows.length, 0);

  for (const method of ['GET', 'PUT'] as const) {
    const res = await inject({
      method,
      url: '/api/v1/servers/999999/anomaly-settings',
      headers: app!.as('admin'),
      ...(method === 'PUT' ? { payload: { muted: true } } : {}),
    });
    assert.equal(res.statusCode, 404, method);
  }
});

test('the endpoints are in /openapi.json', { skip }, async () => {
  const res = await inject({ method: 'GET', url: '/openapi.json' });
  const paths = Object.keys(res.json().paths);
  assert.ok(paths.includes('/api/v1/anomalies'), paths.join(' '));
  assert.ok(paths.includes('/api/v1/servers/{id}/anomaly-settings'), paths.join(' '));
});
