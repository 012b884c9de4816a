import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { refreshDaily, refreshHourly, refreshViews } from '../../src/rollups/index.ts';
import { chooseResolution, planTiers } from '../../src/rollups/series.ts';
import { testApp } from '../helpers/app.ts';
import { insertSamples, makeServers, randomSamples, rng } from './fixtures.ts';

const HOUR = 3_600_000;
// Real time matters for the views (they use the database's now()); the clock is pinned to it.
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const clock = new ManualClock(now);
const app = await testApp({ clock });
const pool = app.db.pool;
const get = async (url: string, role: 'readonly' | 'admin' = 'readonly') => {
  const res = await app.vigil.app.inject({ method: 'GET', url, headers: app.as(role) });
  return { status: res.statusCode, body: res.json() };
};

const ids = await makeServers(pool, [
  { hostname: 'web-1', region: 'eu-west', lastSeen: now },
  { hostname: 'web-2', region: 'eu-west', lastSeen: new Date(now.getTime() - 5 * 60_000) },
  { hostname: 'db-1', region: 'us-east', lastSeen: null },
]);
const start = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 50 * HOUR);
// Samples up to the start of the current hour, none in the future.
await insertSamples(pool, randomSamples(ids.slice(0, 2), start, 50, 300, rng(7)));
await refreshHourly(pool, { now });
await refreshDaily(pool, { now });
await refreshViews(pool, { now });

test('resolution: auto picks daily for whole days, hourly for whole hours, raw otherwise; explicit overrides', () => {
  assert.equal(chooseResolution(86_400_000, 'auto'), 'daily');
  assert.equal(chooseResolution(3 * HOUR, 'auto'), 'hourly');
  assert.equal(chooseResolution(300_000, 'auto'), 'raw');
  assert.equal(chooseResolution(90 * 60_000, 'auto'), 'raw');
  assert.equal(chooseResolution(86_400_000, 'hourly'), 'hourly');
  assert.throws(() => chooseResolution(300_000, 'hourly'), /whole number of hours/);
  assert.throws(() => chooseResolution(HOUR, 'daily'), /whole number of days/);
});

test('tiers: closed buckets from the rollup, the rest from raw, no overlap', () => {
  const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-05T10:30:00Z') };
  const tiers = planTiers(range, 'daily', new Date('2026-01-05T10:01:00Z'), new Date('2026-01-05T09:00:00Z'));
  assert.deepEqual(
    tiers.map((t) => [t.source, t.from.toISOString(), t.to.toISOString()]),
    [
      ['metrics_daily', '2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
      ['metrics_hourly', '2026-01-05T00:00:00.000Z', '2026-01-05T10:00:00.000Z'],
      ['raw', '2026-01-05T10:00:00.000Z', '2026-01-05T10:30:00.000Z'],
    ],
  );
  assert.deepEqual(
    planTiers(range, 'hourly', null, null).map((t) => t.source),
    ['raw'],
  );
});

test('series over 2 days at 1h comes from hourly and still has the newest point from raw', async () => {
  // A sample newer than the last rollup run, in the still-open hour: only raw has it. (30 s ago
  // would fall into the closed previous hour when the suite runs in an hour's first half minute.)
  const fresh = new Date(Math.max(Math.floor(now.getTime() / HOUR) * HOUR, now.getTime() - 30_000));
  await insertSamples(pool, [{ serverId: ids[0] as number, ts: fresh, cpu: 99, mem: 1 }]);
  const from = new Date(now.getTime() - 48 * HOUR).toISOString();
  const { status, body } = await get(
    `/api/v1/servers/${ids[0]}/series?from=${from}&step=1h&metrics=cpu_usage,memory_usage`,
  );
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.resolution, 'hourly');
  assert.equal(body.step_seconds, 3600);
  assert.deepEqual(
    body.sources.map((s: { source: string }) => s.source),
    ['metrics_hourly', 'raw'],
  );
  const last = body.points.at(-1);
  assert.equal(last.ts, new Date(Math.floor(fresh.getTime() / HOUR) * HOUR).toISOString());
  assert.equal(last.cpu_usage.max, 99);
  assert.equal(last.memory_usage.min, 1);
  assert.ok(body.points.length >= 48);
  // the hourly answer equals a raw answer at the same step
  const raw = await get(
    `/api/v1/servers/${ids[0]}/series?from=${from}&step=1h&metrics=cpu_usage&resolution=raw`,
  );
  assert.equal(raw.body.resolution, 'raw');
  assert.equal(raw.body.points.length, body.points.length);
  raw.body.points.forEach((p: { ts: string; cpu_usage: { avg: number; max: number } }, i: number) => {
    assert.equal(p.ts, body.points[i].ts);
    assert.ok(Math.abs(p.cpu_usage.avg - body.points[i].cpu_usage.avg) < 1e-3, p.ts);
    assert.equal(p.cpu_usage.max, body.points[i].cpu_usage.max);
  });
});

test('series picks raw for small steps and daily for 1d', async () => {
  const r = await get(`/api/v1/servers/${ids[1]}/series?step=5m`);
  assert.equal(r.body.resolution, 'raw');
  const from = new Date(now.getTime() - 3 * 86_400_000).toISOString();
  const d = await get(`/api/v1/servers/${ids[1]}/series?from=${from}&step=1d`);
  assert.equal(d.status, 200);
  assert.equal(d.body.resolution, 'daily');
  const total = d.body.points.reduce((a: number, p: { samples: number }) => a + p.samples, 0);
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM vigil.server_metrics WHERE server_id = $1 AND ts >= $2 AND ts < $3`,
    [ids[1], d.body.from, d.body.to],
  );
  assert.equal(total, rows[0].n, 'every raw sample is counted exactly once across tiers');
});

test('bad input is refused with 400 naming the field and the reason', async () => {
  const cases: [string, string, RegExp][] = [
    [
      `/api/v1/servers/${ids[0]}/series?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
      'from',
      /before to/,
    ],
    [`/api/v1/servers/${ids[0]}/series?from=yesterday`, 'from', /ISO 8601/],
    [`/api/v1/servers/${ids[0]}/series?metrics=cpu,memory_usage`, 'metrics', /unknown metric "cpu"/],
    [
      `/api/v1/servers/${ids[0]}/series?step=10s&from=2025-01-01T00:00:00Z&to=2025-12-01T00:00:00Z`,
      'step',
      /points/,
    ],
    [`/api/v1/servers/${ids[0]}/series?step=5m&resolution=hourly`, 'step', /whole number of hours/],
    [`/api/v1/servers/${ids[0]}/series?resolution=weekly`, 'resolution', /one of/],
    [`/api/v1/servers/${ids[0]}/series?step=fast`, 'step', /duration/],
    ['/api/v1/servers?limit=1000000', 'limit', /at most/],
    ['/api/v1/servers?cursor=!!notacursor', 'cursor', /cursor/],
    ['/api/v1/servers?sort=cpu', 'sort', /one of/],
    ['/api/v1/fleet/top?metric=disk_usage&stat=p95', 'stat', /cpu_usage and memory_usage only/],
    ['/api/v1/fleet/top?metric=temperature', 'metric', /unknown metric/],
    ['/api/v1/fleet/regions?step=30m', 'step', /from 3600s/],
    ['/api/v1/logs?severity=loud', 'severity', /0..7/],
    ['/api/v1/logs?from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z', 'to', /31 days/],
  ];
  for (const [url, field, reason] of cases) {
    const { status, body } = await get(url);
    assert.equal(status, 400, url);
    assert.equal(body.error.code, 'VALIDATION_FAILED', url);
    assert.equal(body.error.details.field, field, url);
    assert.match(body.error.details.reason, reason, url);
  }
  const missing = await get('/api/v1/servers/999999/series');
  assert.equal(missing.status, 404);
});

test('server pages are stable and complete while servers are added between pages', async () => {
  await makeServers(
    pool,
    Array.from({ length: 25 }, (_, i) => ({
      hostname: `node-${String(i).padStart(2, '0')}`,
      region: 'ap-south',
    })),
  );
  const seen: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const r = await get(
      `/api/v1/servers?region=ap-south&sort=hostname&order=desc&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    seen.push(...r.body.items.map((s: { hostname: string }) => s.hostname));
    cursor = r.body.next_cursor;
    // a server added behind the cursor must not shift later pages
    if (page++ === 0) await makeServers(pool, [{ hostname: 'node-99', region: 'ap-south' }]);
  } while (cursor);
  const expected = Array.from({ length: 25 }, (_, i) => `node-${String(i).padStart(2, '0')}`).reverse();
  assert.deepEqual(seen, expected);
  // by last_seen_at with ties (all NULL): the id breaks the tie, still no repeats
  const a = await get('/api/v1/servers?sort=last_seen_at&limit=10');
  const b = await get(`/api/v1/servers?sort=last_seen_at&limit=10&cursor=${a.body.next_cursor}`);
  const both = [...a.body.items, ...b.body.items].map((s: { id: number }) => s.id);
  assert.equal(new Set(both).size, both.length);
});

test('fleet overview, regions, top and top talkers answer from views and rollups with their age', async () => {
  const o = await get('/api/v1/fleet/overview');
  assert.equal(o.status, 200);
  assert.equal(typeof o.body.age_seconds, 'number');
  const eu = o.body.regions.find((r: { region: string }) => r.region === 'eu-west');
  assert.deepEqual([eu.servers, eu.up, eu.stale, eu.down], [2, 1, 1, 0]);
  const us = o.body.regions.find((r: { region: string }) => r.region === 'us-east');
  assert.equal(us.down, 1);

  const regions = await get(
    `/api/v1/fleet/regions?from=${new Date(now.getTime() - 24 * HOUR).toISOString()}`,
  );
  assert.equal(regions.body.source, 'mv_region_hourly');
  assert.ok(regions.body.points.length >= 23);
  const longer = await get(
    `/api/v1/fleet/regions?from=${new Date(now.getTime() - 10 * 86_400_000).toISOString()}&step=1d`,
  );
  assert.equal(longer.body.source, 'mv_region_daily');
  // Beyond the daily view's 31 days: metrics_daily, with the same points where both have days.
  const longest = await get(
    `/api/v1/fleet/regions?from=${new Date(now.getTime() - 40 * 86_400_000).toISOString()}&step=1d`,
  );
  assert.equal(longest.body.source, 'metrics_daily');
  assert.ok(longer.body.points.length >= 2);
  assert.deepEqual(longest.body.points, longer.body.points);

  const top = await get('/api/v1/fleet/top?metric=cpu_usage&stat=p95&limit=1&from=' + start.toISOString());
  assert.equal(top.status, 200);
  assert.equal(top.body.items.length, 1);
  const talkers = await get('/api/v1/fleet/top-talkers?limit=5');
  assert.equal(talkers.body.items.length, 2);
  assert.ok(talkers.body.items[0].network_bytes >= talkers.body.items[1].network_bytes);
});

test('a view refresh does not block readers: they see the old contents until it commits', async () => {
  // The ap-south servers were added after the last refresh: old contents have 2 regions.
  const refresher = await pool.connect();
  try {
    await refresher.query('BEGIN');
    await refresher.query('REFRESH MATERIALIZED VIEW CONCURRENTLY vigil.mv_fleet_overview');
    // The refresh holds its lock (uncommitted); readers must still answer, with the old rows.
    const during = await Promise.all(Array.from({ length: 5 }, () => get('/api/v1/fleet/overview')));
    for (const r of during) {
      assert.equal(r.status, 200);
      assert.equal(r.body.regions.length, 2);
    }
    await refresher.query('COMMIT');
  } finally {
    refresher.release();
  }
  const after = await get('/api/v1/fleet/overview');
  assert.equal(after.body.regions.length, 3);
  assert.equal(after.body.totals.servers, 3 + 26);
});

test('readonly reads the rollups but cannot write them; status shows stages', async () => {
  const s = await get('/api/v1/rollups/status');
  assert.equal(s.status, 200);
  assert.deepEqual(s.body.map((x: { stage: string }) => x.stage).slice(0, 2), ['hourly', 'daily']);
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL ROLE vigil_readonly');
    await assert.rejects(c.query('DELETE FROM vigil.metrics_hourly'), /permission denied/);
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
});

test('log search filters by server, severity, time and text, newest first, paged without repeats', async () => {
  const base = now.getTime() - 3 * HOUR;
  await pool.query(
    `INSERT INTO vigil.error_logs (server_id, ts, severity, source, message)
     SELECT CASE WHEN i % 2 = 0 THEN $1::bigint ELSE $2::bigint END,
            to_timestamp($3::float8 / 1000) + i * interval '1 minute' + interval '1 microsecond' * i,
            i % 8, 'app', CASE WHEN i % 3 = 0 THEN 'upstream TIMEOUT after 30s' ELSE 'ok 100%_done' END
       FROM generate_series(0, 95) i`,
    [ids[0], ids[1], base],
  );
  const expected = (
    await pool.query(
      `SELECT id FROM vigil.error_logs WHERE server_id = $1 AND severity <= 3 AND message ILIKE '%timeout%'
        ORDER BY ts DESC, id DESC`,
      [ids[0]],
    )
  ).rows.map((r) => r.id);
  assert.ok(expected.length >= 5);
  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const r = await get(
      `/api/v1/logs?server_id=${ids[0]}&severity=err&q=timeout&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const item of r.body.items) {
      assert.ok(item.severity <= 3);
      assert.equal(item.hostname, 'web-1');
    }
    seen.push(...r.body.items.map((i: { id: number }) => i.id));
    cursor = r.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, expected);
  // % and _ are literal, not wildcards
  const literal = await get(`/api/v1/logs?q=${encodeURIComponent('100%_d')}&limit=1000`);
  assert.equal(literal.body.items.length, 64);
  const none = await get(`/api/v1/logs?q=${encodeURIComponent('1_0')}`);
  assert.equal(none.body.items.length, 0);
  const old = await get(`/api/v1/logs?to=${new Date(base).toISOString()}`);
  assert.equal(old.body.items.length, 0, 'the time range applies');
});
