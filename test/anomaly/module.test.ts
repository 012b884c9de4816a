// The anomaly module inside a running Vigil: an ingest commit event makes it score the server
// and write an anomalies row; the catch-up job finds servers no event announced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATCHUP_JOB } from '../../src/anomaly/index.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { testApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';
import { addSamples, addServer, STEP } from './fixtures.ts';

const N = 1600;
const SPIKE = 1400;
const clock = new ManualClock('2026-01-08T00:00:00Z');
const T0 = clock.now().getTime() - N * STEP;

const skip = process.env.VIGIL_TEST_ADMIN_URL ? false : 'needs PostgreSQL: run through npm test';
const app = skip ? undefined : await testApp({ clock });

interface Row {
  server_id: string;
  ts: Date;
  metrics: string[];
  score: number;
  method: string;
  explanation: string;
}

async function anomaliesOf(serverId: string): Promise<Row[] | undefined> {
  const { rows } = await app!.db.pool.query<Row>(
    `SELECT server_id, ts, metrics, score, method, explanation FROM vigil.anomalies
      WHERE server_id = $1 AND alarm ORDER BY ts`,
    [serverId],
  );
  return rows.length > 0 ? rows : undefined;
}

test('metrics.committed makes the module score the server and announce the anomaly', { skip }, async () => {
  const { pool } = app!.db;
  const events = app!.vigil.ctx.events;
  const server = await addServer(pool, 'spiky-1');
  await addSamples(pool, server, T0, N, { spikeAt: SPIKE });
  const detected: number[][] = [];
  events.on('anomaly.detected', (e) => {
    detected.push(e.serverIds);
  });

  events.emit('metrics.committed', { serverIds: [Number(server)], maxTs: new Date(T0 + (N - 1) * STEP) });
  // A second event in the same burst must coalesce, not score the samples twice.
  events.emit('metrics.committed', { serverIds: [Number(server)], maxTs: new Date(T0 + (N - 1) * STEP) });
  const rows = await eventually('the spike scored as an anomaly', () => anomaliesOf(server));

  assert.equal(rows.length, 1, JSON.stringify(rows));
  const a = rows[0]!;
  assert.equal(a.ts.getTime(), T0 + SPIKE * STEP);
  assert.equal(a.method, 'combined');
  assert.ok(a.score >= 0.5 && a.score <= 1, String(a.score));
  assert.deepEqual(a.metrics.slice(0, 1), ['cpu_usage']);
  assert.match(a.explanation, /^cpu_usage 95 is .*(σ above|higher)/);
  await eventually('an anomaly.detected event', () => detected.length > 0);
  assert.deepEqual(detected[0], [Number(server)]);
  const mark = await pool.query<{ scored_to: Date }>(
    `SELECT scored_to FROM vigil.anomaly_state WHERE server_id = $1`,
    [server],
  );
  assert.equal(mark.rows[0]!.scored_to.getTime(), T0 + (N - 1) * STEP);
});

test('the catch-up job scores a server whose commit event was lost', { skip }, async () => {
  const { pool } = app!.db;
  const server = await addServer(pool, 'spiky-2');
  await addSamples(pool, server, T0, N, { spikeAt: SPIKE, seed: 7 });
  assert.equal(await anomaliesOf(server), undefined);

  await app!.vigil.scheduler.runNow(CATCHUP_JOB);

  const rows = await anomaliesOf(server);
  assert.ok(rows, 'the catch-up pass wrote the anomaly');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0]!.ts.getTime(), T0 + SPIKE * STEP);
  // Nothing is left behind its watermark, so the next pass has nothing to do.
  const behind = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM vigil.anomaly_state WHERE server_id = $1 AND scored_to = $2`,
    [server, new Date(T0 + (N - 1) * STEP)],
  );
  assert.equal(Number(behind.rows[0]!.n), 1);
});
