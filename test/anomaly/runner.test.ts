// The runner end to end on a real PostgreSQL (npm test starts one): samples in
// vigil.server_metrics → anomalies rows with explanations; mute, watermark and restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { withRole } from '../../src/db/transaction.ts';
import { createLogger } from '../../src/logger.ts';
import { ensurePartitionsFor } from '../../src/storage/index.ts';
import { createAnomalyRunner } from '../../src/anomaly/index.ts';
import type { Pool } from '../../src/db/pool.ts';
import { testDatabase } from '../helpers/database.ts';
import { noise } from './synthetic.ts';

const STEP = 5 * 60_000;
const N = 1600;
const SPIKE = 1400;
const clock = new ManualClock('2026-01-08T00:00:00Z');
const T0 = clock.now().getTime() - N * STEP;
const logger = createLogger('silent');

// npm test (test/run.ts) provides PostgreSQL; a bare `node --test` of the pure detector
// tests skips this file instead of failing on a missing database.
const skip = process.env.VIGIL_TEST_ADMIN_URL ? false : 'needs PostgreSQL: run through npm test';
const pool = skip ? undefined : (await testDatabase()).pool;

async function addServer(db: Pool, hostname: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO vigil.servers (hostname) VALUES ($1) RETURNING id`,
    [hostname],
  );
  return rows[0]!.id;
}

/** Samples [from, to) of a seeded, clean server with a CPU spike at SPIKE. */
async function addSamples(db: Pool, serverId: string, from: number, to: number): Promise<void> {
  const cpu = noise(N + 100, 1, { level: 30, sigma: 3 }).values;
  const mem = noise(N + 100, 2, { level: 60, sigma: 1 }).values;
  const net = noise(N + 100, 3, { level: 1e6, sigma: 5e4 }).values;
  const load = noise(N + 100, 4, { level: 1.2, sigma: 0.1 }).values;
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  await db.query(
    `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes, load_1)
     SELECT $1, t, c, m, 40, n::bigint, (n / 2)::bigint, l
       FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::float8[]) AS u(t, c, m, n, l)`,
    [
      serverId,
      idx.map((i) => new Date(T0 + i * STEP)),
      idx.map((i) => (i === SPIKE ? 95 : Math.min(100, Math.max(0, cpu[i]!)))),
      idx.map((i) => mem[i]!),
      idx.map((i) => Math.max(0, net[i]!)),
      idx.map((i) => Math.max(0, load[i]!)),
    ],
  );
}

test('a CPU spike becomes one anomalies row; a muted server gets none', { skip }, async () => {
  const db = pool!;
  await ensurePartitionsFor(db, new Date(T0), new Date(T0 + (N + 100) * STEP));
  const loud = await addServer(db, 'web-1');
  const quiet = await addServer(db, 'web-2');
  await db.query(`INSERT INTO vigil.anomaly_settings (server_id, muted) VALUES ($1, true)`, [quiet]);
  const runner = createAnomalyRunner({ db, logger, clock });

  await addSamples(db, loud, 0, 1200);
  await addSamples(db, quiet, 0, 1200);
  const first = await runner.onBatchCommitted([BigInt(loud), Number(quiet)]);
  assert.equal(first.samples, 2400);
  const early = await db.query(`SELECT ts, metrics, score, explanation FROM vigil.anomalies`);
  assert.equal(
    first.anomalies,
    0,
    `clean history raises nothing: ${JSON.stringify(early.rows)} T0=${new Date(T0).toISOString()}`,
  );

  await addSamples(db, loud, 1200, N);
  await addSamples(db, quiet, 1200, N);
  const second = await runner.onBatchCommitted([loud, quiet]);
  assert.equal(second.samples, 2 * (N - 1200));

  const { rows } = await db.query<{
    server_id: string;
    ts: Date;
    metrics: string[];
    score: number;
    method: string;
    explanation: string;
  }>(`SELECT server_id, ts, metrics, score, method, explanation FROM vigil.anomalies ORDER BY ts`);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  const a = rows[0]!;
  assert.equal(a.server_id, loud);
  assert.equal(a.ts.getTime(), T0 + SPIKE * STEP);
  assert.equal(a.method, 'combined');
  assert.ok(a.score >= 0.5 && a.score <= 1);
  assert.ok(a.metrics.includes('cpu_usage'));
  assert.match(a.explanation, /^cpu_usage 95 is .*(σ above|higher)/);

  const marks = await db.query<{ server_id: string; scored_to: Date }>(
    `SELECT server_id, scored_to FROM vigil.anomaly_state`,
  );
  assert.equal(marks.rows.length, 2);
  for (const m of marks.rows) assert.equal(m.scored_to.getTime(), T0 + (N - 1) * STEP);
});

test('a restarted runner resumes from the watermark and never rescores', { skip }, async () => {
  const db = pool!;
  const [loud] = (await db.query<{ id: string }>(`SELECT id FROM vigil.servers WHERE hostname = 'web-1'`))
    .rows;
  const restarted = createAnomalyRunner({ db, logger, clock });
  const idle = await restarted.onBatchCommitted([loud!.id]);
  assert.equal(idle.samples, 0);
  await addSamples(db, loud!.id, N, N + 20);
  const more = await restarted.onBatchCommitted([loud!.id]);
  assert.equal(more.samples, 20);
  assert.equal(more.anomalies, 0);
  const count = await db.query<{ n: string }>(`SELECT count(*) AS n FROM vigil.anomalies`);
  assert.equal(Number(count.rows[0]!.n), 1);
  assert.equal(await restarted.retrain(), 1);
});

test('settings: readonly may read, devops may write', { skip }, async () => {
  const db = pool!;
  await withRole(db, 'readonly', (c) => c.query(`SELECT * FROM vigil.anomaly_settings`));
  await assert.rejects(
    withRole(db, 'readonly', (c) => c.query(`UPDATE vigil.anomaly_settings SET muted = false`)),
    (e: { code?: string }) => e.code === '42501',
  );
  await withRole(db, 'devops', (c) => c.query(`UPDATE vigil.anomaly_settings SET sensitivity = 2`));
});
