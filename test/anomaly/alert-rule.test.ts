// "score >= x for N points" end to end on a real database: samples with a sustained anomaly →
// the anomaly module scores them → anomalies rows for each point at the alarm level →
// 'anomaly.detected' → the alerts engine fires an anomaly rule with N = 3, and resolves it once
// the anomaly is over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { testApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';
import { addSamples, addServer, STEP } from './fixtures.ts';

const START = 1400; // first anomalous sample; ~4.9 days of clean history before it
const T0 = Date.parse('2026-01-01T00:00:00Z');
const clock = new ManualClock(new Date(T0 + (START + 3) * STEP));
const skip = process.env.VIGIL_TEST_ADMIN_URL ? false : 'needs PostgreSQL: run through npm test';
const app = skip ? undefined : await testApp({ clock });

interface AlertRow {
  state: string;
  last_value: number;
}

async function alertOf(ruleName: string): Promise<AlertRow | undefined> {
  const { rows } = await app!.db.pool.query<AlertRow>(
    `SELECT h.state, h.last_value FROM vigil.alerts_history h
       JOIN vigil.alerts_configuration r ON r.id = h.rule_id WHERE r.name = $1 ORDER BY h.id DESC LIMIT 1`,
    [ruleName],
  );
  return rows[0];
}

test(
  'a sustained anomaly fires an anomaly rule with for_points 3; it resolves when the anomaly ends',
  { skip },
  async () => {
    const { pool } = app!.db;
    const events = app!.vigil.ctx.events;
    const admin = app!.as('admin');
    const rule = await app!.vigil.app.inject({ method: 'POST', url: '/api/v1/alerts/rules', headers: admin, payload: { name: 'anomalous_host', source: 'anomaly', threshold: 0.8, for_points: 3, window: '1h' } }); // prettier-ignore
    assert.equal(rule.statusCode, 201, rule.body);
    const server = await addServer(pool, 'db-7');
    // Clean history, then CPU pinned at 95 % for the last three samples (the anomaly goes on).
    await addSamples(pool, server, T0, START + 3);
    await pool.query(`UPDATE vigil.server_metrics SET cpu_usage = 95 WHERE server_id = $1 AND ts >= $2`, [
      server,
      new Date(T0 + START * STEP),
    ]);
    const detected: number[][] = [];
    events.on('anomaly.detected', (e) => {
      detected.push(e.serverIds);
    });

    events.emit('metrics.committed', {
      serverIds: [Number(server)],
      maxTs: new Date(T0 + (START + 2) * STEP),
    });
    const fired = await eventually('the anomaly alert to fire', async () => {
      const a = await alertOf('anomalous_host');
      return a?.state === 'firing' ? a : undefined;
    });
    assert.ok(fired.last_value >= 0.8, String(fired.last_value));
    assert.deepEqual(detected[0], [Number(server)]);
    const { rows } = await pool.query<{ ts: Date; alarm: boolean; run_points: number; score: number }>(
      `SELECT ts, alarm, run_points, score FROM vigil.anomalies WHERE server_id = $1 ORDER BY ts`,
      [server],
    );
    assert.deepEqual(
      rows.map((r) => [r.ts.getTime(), r.alarm, r.run_points]),
      [
        [T0 + START * STEP, true, 1],
        [T0 + (START + 1) * STEP, false, 2],
        [T0 + (START + 2) * STEP, false, 3],
      ],
      'one alarm, then the later points of the episode',
    );
    assert.equal(fired.last_value, Math.min(...rows.map((r) => r.score)), 'the least alarming of the three');

    // The API lists the alarm by default, every point on request.
    const list = (q: string) =>
      app!.vigil.app.inject({
        method: 'GET',
        url: `/api/v1/anomalies?server_id=${server}${q}`,
        headers: admin,
      });
    assert.equal((await list('')).json().length, 1);
    assert.equal((await list('&points=true')).json().length, 3);

    // CPU back to normal: once the newest point is below 0.8 the rule no longer holds.
    const back = T0 + (START + 3) * STEP;
    await addSamples(pool, server, back, 36, { seed: 9 });
    clock.advance(36 * STEP);
    events.emit('metrics.committed', { serverIds: [Number(server)], maxTs: new Date(back + 35 * STEP) });
    const resolved = await eventually('the anomaly alert to resolve', async () => {
      const a = await alertOf('anomalous_host');
      return a?.state === 'resolved' ? a : undefined;
    });
    assert.ok(resolved.last_value < 0.8, String(resolved.last_value));
  },
);
