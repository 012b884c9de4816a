import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refreshDaily, refreshHourly } from '../../src/rollups/index.ts';
import { testDatabase } from '../helpers/database.ts';
import { insertSamples, makeServers, randomSamples, rng } from './fixtures.ts';

const db = await testDatabase({ poolSize: 6 });
const now = new Date('2026-03-10T12:00:00Z');
const rand = rng(42);
const ids = await makeServers(db.pool, [
  { hostname: 'a1' },
  { hostname: 'a2' },
  { hostname: 'b1', region: 'us-east' },
]);

// The same aggregates computed directly over raw, the way an SRE would write them by hand.
const direct = (unit: 'hour' | 'day') => `
  SELECT server_id, date_trunc('${unit}', ts, 'UTC') AS bucket, count(*)::int AS samples,
         min(cpu_usage) AS cpu_min, max(cpu_usage) AS cpu_max, avg(cpu_usage) AS cpu_avg, count(cpu_usage)::int AS cpu_n,
         avg(memory_usage) AS mem_avg, max(disk_usage) AS disk_max,
         sum(network_in_bytes)::bigint AS net_in, min(load_1) AS load_min,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage) AS cpu_p95,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY memory_usage) AS mem_p95
    FROM vigil.server_metrics GROUP BY 1, 2 ORDER BY 1, 2`;
const fromRollup = (table: string) => `
  SELECT server_id, bucket, samples, cpu_usage_min AS cpu_min, cpu_usage_max AS cpu_max,
         cpu_usage_sum / nullif(cpu_usage_count, 0) AS cpu_avg, cpu_usage_count AS cpu_n,
         memory_usage_sum / nullif(memory_usage_count, 0) AS mem_avg, disk_usage_max AS disk_max,
         network_in_bytes_sum AS net_in, load_1_min AS load_min, cpu_usage_p95 AS cpu_p95, memory_usage_p95 AS mem_p95
    FROM vigil.${table} ORDER BY 1, 2`;

async function assertRollupsMatchRaw(): Promise<number> {
  let compared = 0;
  for (const [unit, table] of [
    ['hour', 'metrics_hourly'],
    ['day', 'metrics_daily'],
  ] as const) {
    const expected = (await db.pool.query(direct(unit))).rows;
    const actual = (await db.pool.query(fromRollup(table))).rows;
    assert.equal(actual.length, expected.length, `${table}: bucket count`);
    expected.forEach((e, i) => {
      const a = actual[i];
      const where = `${table} server ${e.server_id} ${e.bucket.toISOString()}`;
      assert.equal(a.server_id, e.server_id, where);
      assert.equal(a.bucket.getTime(), e.bucket.getTime(), where);
      for (const k of ['samples', 'cpu_n', 'net_in'])
        assert.equal(Number(a[k]), Number(e[k]), `${where} ${k}`);
      for (const k of [
        'cpu_min',
        'cpu_max',
        'cpu_avg',
        'mem_avg',
        'disk_max',
        'load_min',
        'cpu_p95',
        'mem_p95',
      ]) {
        if (e[k] === null) assert.equal(a[k], null, `${where} ${k}`);
        else assert.ok(Math.abs(Number(a[k]) - Number(e[k])) < 1e-3, `${where} ${k}: ${a[k]} vs ${e[k]}`);
      }
      compared += 1;
    });
  }
  return compared;
}

const refreshAll = async () => {
  await refreshHourly(db.pool, { now });
  await refreshDaily(db.pool, { now });
};

test('rollups equal a direct aggregate over raw for random data', async () => {
  const start = new Date('2026-03-08T21:00:00Z'); // crosses a day boundary
  await insertSamples(db.pool, randomSamples(ids, start, 6, 60, rand));
  await refreshAll();
  assert.ok((await assertRollupsMatchRaw()) > 20);
});

test('late rows re-aggregate their old bucket; duplicates change nothing', async () => {
  const before = await db.pool.query(
    `SELECT samples FROM vigil.metrics_hourly WHERE server_id = $1 AND bucket = '2026-03-08T22:00:00Z'`,
    [ids[0]],
  );
  // Late: a sample far above anything in that hour, arriving after the hour was rolled up.
  await insertSamples(db.pool, [
    { serverId: ids[0] as number, ts: new Date('2026-03-08T22:30:00.5Z'), cpu: 100, mem: 99.5 },
  ]);
  // Duplicates: a retried batch of rows that exist already.
  const { rows: existing } = await db.pool.query(
    `SELECT server_id, ts FROM vigil.server_metrics WHERE server_id = $1 ORDER BY ts LIMIT 20`,
    [ids[1]],
  );
  const inserted = await insertSamples(
    db.pool,
    existing.map((r) => ({ serverId: r.server_id, ts: r.ts, cpu: 0, mem: 0 })),
  );
  assert.equal(inserted, 0, 'the primary key refuses the duplicates');
  await refreshAll();
  const after = await db.pool.query(
    `SELECT samples, cpu_usage_max FROM vigil.metrics_hourly WHERE server_id = $1 AND bucket = '2026-03-08T22:00:00Z'`,
    [ids[0]],
  );
  assert.equal(after.rows[0].samples, before.rows[0].samples + 1);
  assert.equal(after.rows[0].cpu_usage_max, 100);
  await assertRollupsMatchRaw();
});

test('a refresh claims only dirty buckets and leaves nothing pending', async () => {
  await insertSamples(db.pool, [
    { serverId: ids[2] as number, ts: new Date('2026-03-09T01:10:00Z'), cpu: 5, mem: 5 },
  ]);
  const r = await refreshHourly(db.pool, { now });
  assert.equal(r.buckets, 1, 'one (server, hour) was dirty');
  const again = await refreshHourly(db.pool, { now });
  assert.equal(again.buckets, 0);
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM vigil.rollup_dirty_hours');
  assert.equal(rows[0].n, 0);
  await refreshDaily(db.pool, { now });
  await assertRollupsMatchRaw();
});

test('a crashed refresh leaves its markers, and the next run resumes from them', async () => {
  await insertSamples(db.pool, [
    { serverId: ids[0] as number, ts: new Date('2026-03-09T02:05:00Z'), cpu: 7, mem: 7 },
  ]);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DELETE FROM vigil.rollup_dirty_hours`); // a runner claims …
    await client.query('ROLLBACK'); // … and dies before commit
  } finally {
    client.release();
  }
  const r = await refreshHourly(db.pool, { now });
  assert.equal(r.buckets, 1);
  await refreshDaily(db.pool, { now });
  await assertRollupsMatchRaw();
});

test('two runners racing give the same result as one', async () => {
  await insertSamples(db.pool, randomSamples(ids, new Date('2026-03-09T05:00:00Z'), 30, 300, rand));
  const { rows } = await db.pool.query(
    `SELECT count(DISTINCT (s, bucket))::int AS n FROM vigil.rollup_dirty_hours, unnest(server_ids) s`,
  );
  const results = await Promise.all([
    refreshHourly(db.pool, { now, batchBuckets: 3 }),
    refreshHourly(db.pool, { now, batchBuckets: 3 }),
  ]);
  // Serialised by the advisory lock: between them they rebuilt each dirty bucket exactly once.
  assert.equal(results[0].buckets + results[1].buckets, rows[0].n);
  assert.ok(rows[0].n >= ids.length * 29);
  await Promise.all([refreshDaily(db.pool, { now }), refreshDaily(db.pool, { now })]);
  await assertRollupsMatchRaw();
});

test('deleting raw rows re-aggregates, and an emptied bucket disappears', async () => {
  await db.pool.query(
    `DELETE FROM vigil.server_metrics WHERE server_id = $1 AND ts >= '2026-03-09T02:00:00Z' AND ts < '2026-03-09T03:00:00Z'`,
    [ids[0]],
  );
  await refreshAll();
  const { rows } = await db.pool.query(
    `SELECT 1 FROM vigil.metrics_hourly WHERE server_id = $1 AND bucket = '2026-03-09T02:00:00Z'`,
    [ids[0]],
  );
  assert.equal(rows.length, 0);
  await assertRollupsMatchRaw();
});

test('an updated sample (a value merged in later by ingest) re-aggregates its bucket', async () => {
  await refreshAll();
  const { rowCount } = await db.pool.query(
    `UPDATE vigil.server_metrics SET cpu_usage = 99.5
      WHERE server_id = $1 AND ts = (SELECT max(ts) FROM vigil.server_metrics WHERE server_id = $1)`,
    [ids[1]],
  );
  assert.equal(rowCount, 1);
  const pending = await db.pool.query(`SELECT count(*)::int AS n FROM vigil.rollup_dirty_hours`);
  assert.ok(pending.rows[0].n >= 1, 'the update left a dirty marker');
  await refreshAll();
  assert.ok((await assertRollupsMatchRaw()) > 0);
});
