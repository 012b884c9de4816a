// The HTTP ingest endpoints against a real PostgreSQL: acknowledged means committed, retries do
// not duplicate, bad rows are refused one by one, and the status codes of the issue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodeRemoteWrite } from '../../src/ingest/index.ts';
import { MetricBlock } from '../../src/ingest/metric-block.ts';
import { emptyValues } from '../../src/ingest/types.ts';
import { testApp } from '../helpers/app.ts';
import { testBatchWriter } from '../helpers/batch-writer.ts';

const app = await testApp({ overrides: { ingest: { max_body_bytes: 64 * 1024, queue_rows: 1000 } } });
const inject = app.vigil.app.inject.bind(app.vigil.app);
const q = async (sql: string, params: unknown[] = []) => (await app.db.pool.query(sql, params)).rows;
const now = Date.now();
const json = (role: 'admin' | 'devops' | 'readonly' | 'ingest', url: string, payload: unknown) =>
  inject({
    method: 'POST',
    url,
    headers: { ...app.as(role), 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });

test('acknowledged rows are committed, and a retry of the same batch adds nothing', async () => {
  const body = {
    hostname: 'api-web-1',
    region: 'eu-west',
    labels: { role: 'web' },
    rows: [0, 1, 2].map((i) => ({
      ts: now - 30_000 + i * 10_000,
      cpu_usage: 10 + i,
      memory_usage: 50,
      network_in_bytes: 1000 * i,
    })),
  };
  const res = await json('ingest', '/api/v1/metrics', body);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { accepted: 3, rejected: 0, errors: [], errors_truncated: false });
  // No wait: the 200 was sent after COMMIT.
  const rows = await q(
    `SELECT m.cpu_usage, s.region, s.labels FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
      WHERE s.hostname = 'api-web-1' ORDER BY m.ts`,
  );
  assert.deepEqual(
    rows.map((r) => r.cpu_usage),
    [10, 11, 12],
  );
  assert.equal(rows[0].region, 'eu-west');
  assert.deepEqual(rows[0].labels, { role: 'web' });
  const again = await json('ingest', '/api/v1/metrics', body);
  assert.equal(again.statusCode, 200);
  const [{ n }] = await q(
    `SELECT count(*)::int AS n FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id WHERE s.hostname = 'api-web-1'`,
  );
  assert.equal(n, 3);
});

test('bad rows are refused with index, field and reason; the good ones are kept', async () => {
  const res = await json('devops', '/api/v1/metrics', [
    { hostname: 'api-web-2', ts: now, cpu_usage: 5 },
    { hostname: 'api-web-2', ts: now - 1000, cpu_usage: 101 },
    { hostname: 'api-web-2', ts: now + 86_400_000, cpu_usage: 5 },
  ]);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.accepted, 1);
  assert.deepEqual(
    body.errors.map((e: { index: number; field: string }) => [e.index, e.field]),
    [
      [1, 'cpu_usage'],
      [2, 'ts'],
    ],
  );
  const all = await json('ingest', '/api/v1/metrics', [{ hostname: 'api-web-2', ts: now, cpu_usage: 500 }]);
  assert.equal(all.statusCode, 400);
  assert.equal(all.json().error.details.errors[0].field, 'cpu_usage');
});

test('401 without a token, 403 from the database for a readonly token', async () => {
  const anon = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { 'content-type': 'application/json' },
    payload: '[]',
  });
  assert.equal(anon.statusCode, 401);
  const ro = await json('readonly', '/api/v1/metrics', [{ hostname: 'api-ro', ts: now, cpu_usage: 1 }]);
  assert.equal(ro.statusCode, 403, ro.body);
  assert.equal(ro.json().error.details.sqlstate, '42501');
  // Even for a server that exists already (cached), the write itself is refused.
  const ro2 = await json('readonly', '/api/v1/metrics', [
    { hostname: 'api-web-1', ts: now - 5000, cpu_usage: 1 },
  ]);
  assert.equal(ro2.statusCode, 403, ro2.body);
  assert.equal((await q(`SELECT count(*)::int AS n FROM vigil.servers WHERE hostname = 'api-ro'`))[0].n, 0);
});

test('413 over the size limit (also after gzip), 415 for an unknown type or encoding', async () => {
  const big = JSON.stringify([{ hostname: 'h', ts: now, cpu_usage: 1, pad: 'x'.repeat(70 * 1024) }]);
  const res = await json('ingest', '/api/v1/metrics', JSON.parse(big));
  assert.equal(res.statusCode, 413);
  const bomb = gzipSync(Buffer.alloc(200 * 1024, 32));
  const zipped = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { ...app.as('ingest'), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: bomb,
  });
  assert.equal(zipped.statusCode, 413);
  const wrongType = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { ...app.as('ingest'), 'content-type': 'text/csv' },
    payload: 'a,b',
  });
  assert.equal(wrongType.statusCode, 415);
  const wrongEnc = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { ...app.as('ingest'), 'content-type': 'application/json', 'content-encoding': 'br' },
    payload: '[]',
  });
  assert.equal(wrongEnc.statusCode, 415);
  const badGzip = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { ...app.as('ingest'), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: Buffer.from('not gzip'),
  });
  assert.equal(badGzip.statusCode, 400);
});

test('a gzip body from the agent is read', async () => {
  const res = await inject({
    method: 'POST',
    url: '/api/v1/metrics',
    headers: { ...app.as('ingest'), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: gzipSync(JSON.stringify({ hostname: 'api-gz', rows: [{ ts: now, load_1: 0.25 }] })),
  });
  assert.equal(res.statusCode, 200, res.body);
});

test('overload answers 503 with Retry-After instead of queueing without bound', async () => {
  const rows = Array.from({ length: 1500 }, (_, i) => ({ ts: now - i * 1000, cpu_usage: 1 }));
  const res = await json('ingest', '/api/v1/metrics', { hostname: 'api-flood', rows });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'OVERLOADED');
  assert.ok(Number(res.headers['retry-after']) >= 1);
});

test('error-log entries land in error_logs', async () => {
  const res = await json('ingest', '/api/v1/logs', {
    hostname: 'api-web-1',
    entries: [
      { ts: now, severity: 'err', source: 'nginx', message: 'upstream timed out', context: { status: 504 } },
    ],
  });
  assert.equal(res.statusCode, 200, res.body);
  const rows = await q(
    `SELECT severity, source, message, context FROM vigil.error_logs WHERE source = 'nginx'`,
  );
  assert.deepEqual(rows, [
    { severity: 3, source: 'nginx', message: 'upstream timed out', context: { status: 504 } },
  ]);
});

test('line protocol with precision; values of one row sent in two requests are merged', async () => {
  const s = Math.floor(now / 1000) - 60;
  const send = (text: string, precision: string) =>
    inject({
      method: 'POST',
      url: `/api/v1/write?precision=${precision}`,
      headers: { ...app.as('ingest'), 'content-type': 'text/plain; charset=utf-8' },
      payload: text,
    });
  const a = await send(
    `mem,host=api-lp used_percent=42.5 ${s}\nnet\\ stat,host=api-lp,if=eth\\ 0 drops=3i ${s}`,
    's',
  );
  assert.equal(a.statusCode, 200, a.body);
  const b = await send(`system,host=api-lp load1=1.5,load5=1,load15=0.5 ${s}000`, 'ms');
  assert.equal(b.statusCode, 200, b.body);
  const rows = await q(
    `SELECT memory_usage, load_1, ts FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id WHERE s.hostname = 'api-lp'`,
  );
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].memory_usage, rows[0].load_1, rows[0].ts.getTime()], [42.5, 1.5, s * 1000]);
  const series = await q(
    `SELECT s.name, s.labels, x.value FROM vigil.metric_series s JOIN vigil.metric_samples x ON x.series_id = s.id WHERE s.name = 'net_stat_drops'`,
  );
  assert.deepEqual(series, [{ name: 'net_stat_drops', labels: { if: 'eth 0' }, value: 3 }]);
});

test('remote_write keeps every series and fills server_metrics; a retry adds nothing', async () => {
  const body = encodeRemoteWrite([
    {
      labels: { __name__: 'node_load1', instance: 'api-prom:9100', job: 'node' },
      samples: [{ value: 0.75, tsMs: now - 2000 }],
    },
    {
      labels: { __name__: 'up', instance: 'api-prom:9100', job: 'node' },
      samples: [{ value: 1, tsMs: now - 2000 }],
    },
  ]);
  const send = () =>
    inject({
      method: 'POST',
      url: '/api/v1/prom/write',
      headers: {
        ...app.as('ingest'),
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      },
      payload: Buffer.from(body),
    });
  assert.equal((await send()).statusCode, 200);
  assert.equal((await send()).statusCode, 200);
  const [{ n }] = await q(
    `SELECT count(*)::int AS n FROM vigil.metric_samples x JOIN vigil.metric_series s ON s.id = x.series_id WHERE s.labels->>'instance' = 'api-prom:9100'`,
  );
  assert.equal(n, 2);
  const m = await q(
    `SELECT load_1 FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id WHERE s.hostname = 'api-prom'`,
  );
  assert.deepEqual(m, [{ load_1: 0.75 }]);
});

test('the database itself refuses an unknown server and a percentage of 101', async () => {
  const w = testBatchWriter(app);
  const row = { ...emptyValues(), tsUs: (now - 3000) * 1000, cpu_usage: 1 };
  await assert.rejects(
    w.write('ingest', {
      metrics: MetricBlock.fromRows([{ ...row, serverId: 987654321 }]),
      samples: [],
      logs: [],
    }),
    /foreign key/,
  );
  const [{ id }] = await q(`SELECT id FROM vigil.servers WHERE hostname = 'api-web-1'`);
  await assert.rejects(
    w.write('ingest', {
      metrics: MetricBlock.fromRows([{ ...row, serverId: id, cpu_usage: 101 }]),
      samples: [],
      logs: [],
    }),
    /check constraint/,
  );
  await w.close();
});

test('after COMMIT the writer announces each server it wrote once, with the newest sample time', async () => {
  const ids = (
    await q(
      `INSERT INTO vigil.servers (hostname) VALUES ('announce-1'), ('announce-2'), ('announce-3') RETURNING id`,
    )
  ).map((r) => Number(r.id));
  const [a, b, c] = ids as [number, number, number];
  const w = testBatchWriter(app, 50); // both requests share one transaction
  const seen: { metricServerIds: number[]; maxTs: Date | null; rows: number }[] = [];
  w.onCommitted((done) => seen.push(done));
  const at = (s: number) => (now - 60_000 + s * 1000) * 1000;
  const rows = (list: [number, number][]) =>
    MetricBlock.fromRows(
      list.map(([serverId, s]) => ({ ...emptyValues(), serverId, tsUs: at(s), cpu_usage: 1 })),
    );
  await Promise.all([
    w.write('ingest', {
      metrics: rows([
        [b, 1],
        [a, 2],
        [b, 3],
        [c, 9],
      ]),
      samples: [],
      logs: [],
    }),
    w.write('ingest', {
      metrics: rows([
        [a, 4],
        [c, 5],
        [b, 6],
      ]),
      samples: [],
      logs: [],
    }),
  ]);
  await w.close();
  assert.equal(seen.length, 1, 'one transaction');
  assert.deepEqual(
    [...(seen[0]?.metricServerIds ?? [])].sort((x, y) => x - y),
    [a, b, c].sort((x, y) => x - y),
  );
  assert.equal(seen[0]?.maxTs?.getTime(), at(9) / 1000);
  assert.equal(seen[0]?.rows, 7);
});

test('OpenAPI documents every ingest endpoint', async () => {
  const spec = (await inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const path of [
    '/api/v1/metrics',
    '/api/v1/logs',
    '/api/v1/write',
    '/api/v1/prom/write',
    '/api/v1/collectd',
  ]) {
    assert.ok(spec.paths[path]?.post, path);
  }
});

test('a partition dropped behind the cache (retention) is made again and the write retried', async () => {
  const day = now - 4 * 86_400_000;
  const first = await json('ingest', '/api/v1/metrics', [{ hostname: 'api-old', ts: day, cpu_usage: 1 }]);
  assert.equal(first.statusCode, 200, first.body);
  const part = `server_metrics_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
  await q(`DROP TABLE vigil.${part}`);
  const again = await json('ingest', '/api/v1/metrics', [
    { hostname: 'api-old', ts: day + 1000, cpu_usage: 2 },
  ]);
  assert.equal(again.statusCode, 200, again.body);
  const rows = await q(`SELECT cpu_usage FROM vigil.${part}`);
  assert.deepEqual(rows, [{ cpu_usage: 2 }]);
});

test('one request with rows on both sides of midnight is written into both day partitions', async () => {
  const midnight = Math.floor(now / 86_400_000) * 86_400_000;
  const partOf = (ms: number) =>
    `server_metrics_p${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
  const r = await json('ingest', '/api/v1/metrics', [
    { hostname: 'api-midnight', ts: midnight - 1, cpu_usage: 1 },
    { hostname: 'api-midnight', ts: midnight, cpu_usage: 2 },
    { hostname: 'api-midnight', ts: midnight - 2, cpu_usage: 3 },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  const stored = async (ms: number) =>
    (
      await q(
        `SELECT m.cpu_usage FROM vigil.${partOf(ms)} m JOIN vigil.servers s ON s.id = m.server_id
          WHERE s.hostname = 'api-midnight' ORDER BY m.ts`,
      )
    ).map((x) => x.cpu_usage);
  assert.deepEqual(await stored(midnight - 1), [3, 1]);
  assert.deepEqual(await stored(midnight), [2]);
});

test('line protocol from plain curl (form content type) is read; JSON on /write is 415', async () => {
  const s = Math.floor(now / 1000) - 30;
  const form = await inject({
    method: 'POST',
    url: '/api/v1/write?precision=s',
    headers: { ...app.as('ingest'), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `system,host=api-curl load1=0.25 ${s}`,
  });
  assert.equal(form.statusCode, 200, form.body);
  const wrong = await inject({
    method: 'POST',
    url: '/api/v1/write',
    headers: { ...app.as('ingest'), 'content-type': 'application/json' },
    payload: '{}',
  });
  assert.equal(wrong.statusCode, 415);
});
