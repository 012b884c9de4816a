// Day partitions: made ahead of time, idempotent, safe when several processes race, bounded by
// whole UTC days whatever the session time zone, and kept ahead by the partitions job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { ensurePartitionsFor, partitionSummary } from '../../src/storage/partitions.ts';
import { testApp } from '../helpers/app.ts';
import { testDatabase } from '../helpers/database.ts';
import { withRole } from '../../src/db/transaction.ts';
import { assertRefused, seedServer } from '../helpers/sql.ts';

const TABLES = ['error_logs', 'metric_samples', 'server_metrics'];
const db = await testDatabase({ poolSize: 8 });

async function partitionsBetween(from: string, to: string): Promise<{ parent_table: string; day: string }[]> {
  const { rows } = await db.pool.query<{ parent_table: string; day: string }>(
    `SELECT parent_table, day::text AS day FROM vigil.partition_days
      WHERE day BETWEEN $1::date AND $2::date ORDER BY parent_table, day`,
    [from, to],
  );
  return rows;
}

test('ensure_partitions racing from 6 connections creates each partition once, without error', async () => {
  const clients = await Promise.all(Array.from({ length: 6 }, () => db.pool.connect()));
  try {
    const results = await Promise.all(
      clients.map((c) =>
        c.query<{ made: number }>(`SELECT vigil.ensure_partitions('2031-03-01', '2031-03-10') AS made`),
      ),
    );
    const made = results.map((r) => r.rows[0]?.made ?? -1);
    const rows = await partitionsBetween('2031-03-01', '2031-03-10');
    assert.equal(rows.length, 3 * 10, 'one partition per table and day');
    assert.equal(
      made.reduce((a, b) => a + b, 0),
      rows.length,
      `the counts (${made.join(', ')}) add up to what exists`,
    );
    assert.equal(new Set(rows.map((r) => `${r.parent_table}/${r.day}`)).size, rows.length);
  } finally {
    for (const c of clients) c.release();
  }
});

test('ensure_partitions is idempotent: calling it again makes nothing', async () => {
  const first = await db.pool.query(`SELECT vigil.ensure_partitions('2031-04-01', '2031-04-03') AS made`);
  assert.equal(first.rows[0].made, 9);
  const again = await db.pool.query(`SELECT vigil.ensure_partitions('2031-04-01', '2031-04-03') AS made`);
  assert.equal(again.rows[0].made, 0);
});

test('partition bounds are whole UTC days, whatever the session time zone', async () => {
  const client = await db.pool.connect();
  try {
    // UTC+14: a bound computed in session time would start on the previous UTC day.
    await client.query(`SET TIME ZONE 'Pacific/Kiritimati'`);
    await client.query(`SELECT vigil.ensure_partitions('2031-05-01', '2031-05-02')`);
    await client.query(`SET TIME ZONE 'UTC'`);
    const { rows } = await client.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM vigil.partition_days p JOIN pg_class c ON c.relname = p.partition_name
        WHERE p.day BETWEEN '2031-05-01' AND '2031-05-02' ORDER BY c.relname`,
    );
    assert.equal(rows.length, 6);
    for (const { name, bound } of rows) {
      const day = name.slice(-8).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3');
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      assert.equal(bound, `FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`, name);
    }
    // The last microsecond of a day and the first of the next land in different partitions.
    const serverId = await seedServer(client);
    const { rows: placed } = await client.query<{ part: string }>(
      `INSERT INTO vigil.server_metrics (server_id, ts) VALUES ($1, '2031-05-01 23:59:59.999999+00'),
              ($1, '2031-05-02 00:00:00+00') RETURNING tableoid::regclass::text AS part`,
      [serverId],
    );
    assert.deepEqual(
      placed.map((r) => r.part),
      ['vigil.server_metrics_p20310501', 'vigil.server_metrics_p20310502'],
    );
  } finally {
    client.release();
  }
});

test('ensure_partitions refuses an inverted or huge range, and unknown tables', async () => {
  await assertRefused(db.pool.query(`SELECT vigil.ensure_partitions('2031-01-02', '2031-01-01')`), {
    sqlstate: '22023',
    message: /is before/,
  });
  await assertRefused(db.pool.query(`SELECT vigil.ensure_partitions('2031-01-01', '2042-01-01')`), {
    sqlstate: '22023',
    message: /too large/,
  });
  await assertRefused(db.pool.query(`SELECT vigil.ensure_day_partition('users', '2031-01-01')`), {
    sqlstate: '22023',
    message: /not a partitioned time-series table/,
  });
});

test('the partitions job keeps partitions_ahead_days ready as time passes', async () => {
  const clock = new ManualClock('2031-07-10T15:00:00Z');
  const app = await testApp({ clock, overrides: { database: { partitions_ahead_days: 3 } } });
  const lastDay = async () => {
    const { rows } = await app.db.pool.query<{ parent_table: string; last: string }>(
      `SELECT parent_table, max(day)::text AS last FROM vigil.partition_days GROUP BY 1 ORDER BY 1`,
    );
    return rows;
  };
  // Start-up made them already.
  assert.deepEqual(
    await lastDay(),
    TABLES.map((t) => ({ parent_table: t, last: '2031-07-13' })),
  );
  clock.set('2031-07-11T23:30:00Z');
  await app.vigil.scheduler.runNow('partitions');
  assert.deepEqual(
    await lastDay(),
    TABLES.map((t) => ({ parent_table: t, last: '2031-07-14' })),
  );
  const summary = await partitionSummary(app.db.pool, clock.now());
  assert.deepEqual(
    summary.map((s) => [s.table, s.days_ahead]),
    TABLES.map((t) => [t, 3]),
  );
  // No gap: every day from the first to the last partition exists for every table.
  for (const s of summary) {
    const days = (Date.parse(`${s.last_day}Z`) - Date.parse(`${s.first_day}Z`)) / 86_400_000 + 1;
    assert.equal(s.partitions, days, `${s.table} has a gap`);
  }
  assert.equal(app.vigil.scheduler.status().find((j) => j.name === 'partitions')?.lastError, null);
});

test('ensurePartitionsFor covers a range longer than one call may, in chunks', async () => {
  const from = new Date('2035-01-01T00:00:00Z');
  const to = new Date('2036-06-30T00:00:00Z');
  const made = await ensurePartitionsFor(db.pool, from, to);
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
  assert.equal(made, days * 3);
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.partition_days WHERE parent_table = 'server_metrics' AND day BETWEEN '2035-01-01' AND '2036-06-30'`,
  );
  assert.equal(rows[0].n, days);
});

/** Statement-level triggers (name, timing/event bits, function) of a table. */
async function statementTriggers(table: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ t: string }>(
    `SELECT tgname || ' ' || tgtype || ' ' || tgfoid::regproc AS t FROM pg_trigger
      WHERE tgrelid = $1::regclass AND NOT tgisinternal AND (tgtype & 1) = 0 ORDER BY 1`,
    [table],
  );
  return rows.map((r) => r.t);
}

test('every partition carries each statement trigger of its parent (0035), old and new', async () => {
  await db.pool.query(`SELECT vigil.ensure_partitions('2031-08-01', '2031-08-01')`);
  const { rows } = await db.pool.query<{ parent: string; part: string }>(
    `SELECT 'vigil.' || parent_table AS parent, 'vigil.' || partition_name AS part FROM vigil.partition_days`,
  );
  assert.ok(rows.some((r) => r.part === 'vigil.server_metrics_p20310801'));
  const server = await statementTriggers('vigil.server_metrics');
  assert.ok(server.length >= 5, `server_metrics has its statement triggers: ${server.join('; ')}`);
  for (const { parent, part } of rows) {
    assert.deepEqual(await statementTriggers(part), await statementTriggers(parent), part);
  }
});

test('a write aimed at a server_metrics partition is judged like one through the parent', async () => {
  await db.pool.query(`SELECT vigil.ensure_partitions('2031-08-02', '2031-08-02')`);
  const part = 'vigil.server_metrics_p20310802';
  const id = await seedServer(db.pool);
  // The ingest role may insert into the partition; the statement triggers refuse an unknown server.
  await assertRefused(
    withRole(db.pool, 'ingest', (c) =>
      c.query(`INSERT INTO ${part} (server_id, ts, cpu_usage) VALUES (987654321, '2031-08-02T10:00:00Z', 1)`),
    ),
    { sqlstate: '23503', constraint: 'server_metrics_server_id_fkey' },
    'unknown server',
  );
  await assertRefused(
    withRole(db.pool, 'ingest', (c) =>
      c.query(`INSERT INTO ${part} (server_id, ts, cpu_usage) VALUES ($1, '2031-08-02T10:00:00Z', 101)`, [
        id,
      ]),
    ),
    { sqlstate: '23514' },
    'cpu 101',
  );
  await assertRefused(
    withRole(db.pool, 'readonly', (c) =>
      c.query(`INSERT INTO ${part} (server_id, ts, cpu_usage) VALUES ($1, '2031-08-02T10:00:00Z', 1)`, [id]),
    ),
    { sqlstate: '42501' },
    'readonly',
  );
  const dirty = async () =>
    (
      await db.pool.query<{ bucket: string; ids: number[] }>(
        `SELECT bucket::text, server_ids::int[] AS ids FROM vigil.rollup_dirty_hours
          WHERE bucket >= '2031-08-02' AND bucket < '2031-08-03' AND $1 = ANY (server_ids) ORDER BY id`,
        [id],
      )
    ).rows;
  await withRole(db.pool, 'ingest', (c) =>
    c.query(
      `INSERT INTO ${part} (server_id, ts, cpu_usage) VALUES ($1, '2031-08-02T10:15:00Z', 1), ($1, '2031-08-02T11:59:59Z', 2)`,
      [id],
    ),
  );
  assert.deepEqual(await dirty(), [
    { bucket: '2031-08-02 10:00:00+00', ids: [id] },
    { bucket: '2031-08-02 11:00:00+00', ids: [id] },
  ]);
  // Through the parent the partition's copies do not fire as well: one marker per hour, not two.
  await withRole(db.pool, 'ingest', (c) =>
    c.query(
      `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, '2031-08-02T12:00:00Z', 3)`,
      [id],
    ),
  );
  assert.deepEqual((await dirty()).map((d) => d.bucket).slice(2), ['2031-08-02 12:00:00+00']);
});

test('a detached server_metrics partition refuses writes; ingest then goes through the parent', async () => {
  const app = await testApp();
  const day = Date.now() - 2 * 86_400_000;
  const stamp = new Date(day).toISOString().slice(0, 10).replaceAll('-', '');
  const part = `vigil.server_metrics_p${stamp}`;
  const post = () =>
    app.vigil.app.inject({
      method: 'POST',
      url: '/api/v1/metrics',
      headers: { ...app.as('ingest'), 'content-type': 'application/json' },
      payload: [{ hostname: 'detached-1', ts: day, cpu_usage: 7 }],
    });
  assert.equal((await post()).statusCode, 200, 'the day partition exists and takes the row');
  await app.db.pool.query(`ALTER TABLE vigil.server_metrics DETACH PARTITION ${part}`);
  const id = await seedServer(app.db.pool);
  await assertRefused(
    withRole(app.db.pool, 'ingest', (c) =>
      c.query(`INSERT INTO ${part} (server_id, ts, cpu_usage) VALUES ($1, to_timestamp($2 / 1000.0), 1)`, [
        id,
        day + 1000,
      ]),
    ),
    { sqlstate: '42P01', message: /not a partition of "server_metrics"/ },
    'a direct write into the detached table',
  );
  // The cached day and the named table both still exist: the write must not land in the detached
  // table. With no partition for the day it is refused, and nothing is acknowledged.
  const again = await post();
  assert.equal(again.statusCode, 400, again.body);
  assert.match(again.json().error.message, /no partition of relation "server_metrics"/);
  const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM ${part}`);
  assert.equal(rows[0].n, 1, 'only the row written before the detach');
});
