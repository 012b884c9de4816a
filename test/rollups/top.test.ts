// Top-N over a window with partial days at both edges (whole days from metrics_daily, the
// edges from metrics_hourly) answers the same question as raw server_metrics, and a series
// that asks for fewer metrics reads fewer columns without changing any value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { refreshDaily, refreshHourly } from '../../src/rollups/index.ts';
import { testApp } from '../helpers/app.ts';
import { insertSamples, makeServers, randomSamples, rng } from './fixtures.ts';

const HOUR = 3_600_000;
const start = new Date('2026-03-01T00:00:00Z');
const now = new Date('2026-03-05T00:00:00Z');
const app = await testApp({ clock: new ManualClock(now) });
const pool = app.db.pool;
const get = async (url: string) => {
  const res = await app.vigil.app.inject({ method: 'GET', url, headers: app.as('readonly') });
  return { status: res.statusCode, body: res.json() };
};

const ids = await makeServers(
  pool,
  Array.from({ length: 6 }, (_, i) => ({ hostname: `top-${i}`, region: i % 2 ? 'eu-west' : 'us-east' })),
);
await insertSamples(pool, randomSamples(ids, start, 4 * 24, 600, rng(11)));
await refreshHourly(pool, { now });
await refreshDaily(pool, { now });

// 05:00 on day 1 to 17:00 on day 3: 19 hours of edge before the whole day 2, 17 hours after.
const from = new Date(start.getTime() + 24 * HOUR + 5 * HOUR);
const to = new Date(start.getTime() + 3 * 24 * HOUR + 17 * HOUR);
const window = `from=${from.toISOString()}&to=${to.toISOString()}`;

const RAW: Record<string, string> = {
  avg: 'avg(cpu_usage)',
  max: 'max(cpu_usage)',
  min: 'min(cpu_usage)',
  sum: 'sum(cpu_usage)',
};

for (const [stat, expr] of Object.entries(RAW)) {
  test(`top by ${stat} over a window with partial-day edges equals the raw answer`, async () => {
    const { status, body } = await get(`/api/v1/fleet/top?metric=cpu_usage&stat=${stat}&limit=100&${window}`);
    assert.equal(status, 200, JSON.stringify(body));
    const { rows } = await pool.query<{ server_id: string; v: number; n: string }>(
      `SELECT server_id, ${expr}::float8 AS v, count(*) AS n FROM vigil.server_metrics
        WHERE ts >= $1 AND ts < $2 GROUP BY server_id ORDER BY v DESC, server_id`,
      [from, to],
    );
    assert.deepEqual(
      body.items.map((i: { server_id: number }) => i.server_id),
      rows.map((r) => Number(r.server_id)),
    );
    body.items.forEach((item: { value: number; samples: number }, k: number) => {
      const r = rows[k] as { v: number; n: string };
      assert.ok(Math.abs(item.value - r.v) < 1e-6 * Math.max(1, Math.abs(r.v)), `${item.value} vs ${r.v}`);
      assert.equal(item.samples, Number(r.n));
    });
  });
}

test('top by p95 is the sample-weighted mean of the hourly p95s at the edges and daily p95s inside', async () => {
  const { body } = await get(`/api/v1/fleet/top?metric=cpu_usage&stat=p95&order=asc&limit=3&${window}`);
  const { rows } = await pool.query<{ server_id: string; v: number }>(
    `SELECT server_id, sum(p * c) / sum(c) AS v
       FROM (SELECT server_id, cpu_usage_p95 AS p, cpu_usage_count AS c FROM vigil.metrics_hourly
              WHERE (bucket >= $1 AND bucket < date_trunc('day', $1::timestamptz, 'UTC') + interval '1 day')
                 OR (bucket >= date_trunc('day', $2::timestamptz, 'UTC') AND bucket < $2)
             UNION ALL
             SELECT server_id, cpu_usage_p95, cpu_usage_count FROM vigil.metrics_daily
              WHERE bucket >= date_trunc('day', $1::timestamptz, 'UTC') + interval '1 day'
                AND bucket < date_trunc('day', $2::timestamptz, 'UTC')) x
      WHERE p IS NOT NULL GROUP BY server_id ORDER BY v, server_id LIMIT 3`,
    [from, to],
  );
  assert.deepEqual(
    body.items.map((i: { server_id: number; value: number }) => [i.server_id, Math.round(i.value * 1e4)]),
    rows.map((r) => [Number(r.server_id), Math.round(r.v * 1e4)]),
  );
});

test('a series of fewer metrics has the same values as the full series', async () => {
  const q = `from=${from.toISOString()}&to=${to.toISOString()}&step=1h`;
  const all = await get(
    `/api/v1/servers/${ids[0]}/series?${q}&metrics=cpu_usage,memory_usage,disk_usage,load_1`,
  );
  const one = await get(`/api/v1/servers/${ids[0]}/series?${q}&metrics=memory_usage`);
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.equal(one.body.points.length, all.body.points.length);
  assert.ok(one.body.points.length > 50);
  one.body.points.forEach((p: Record<string, unknown>, i: number) => {
    const full = all.body.points[i];
    assert.deepEqual(p, { ts: full.ts, samples: full.samples, memory_usage: full.memory_usage });
  });
});
