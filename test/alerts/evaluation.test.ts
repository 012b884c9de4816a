import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { createLogger } from '../../src/logger.ts';
import { T0, addServers, committed, createRule, openAlerts, setup, writeCpu } from './fixtures.ts';

const t = await setup();
const { pool, clock, rt } = t;
const MIN = 60_000;

test('the seeded rule "cpu_usage > 90 for 5 minutes" writes alerts_history out of the box', async () => {
  const [hot, calm] = await addServers(pool, ['seed-hot', 'seed-calm']);
  await writeCpu(pool, [hot as number], 96, clock.now());
  await writeCpu(pool, [calm as number], 40, clock.now());
  // Exactly as ingest will: an event after the commit; the engine evaluates the touched servers.
  await committed(t, [hot as number, calm as number]);
  let rows = await openAlerts(pool, 'high_cpu');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.server_id, hot);
  assert.equal(rows[0]?.state, 'pending', 'pending until the 5 minutes have passed');

  for (let i = 0; i < 5; i++) {
    clock.advance(MIN);
    await writeCpu(pool, [hot as number], 97 + i * 0.5, clock.now());
    await rt.engine.evaluate(null);
  }
  rows = await openAlerts(pool, 'high_cpu');
  assert.equal(rows[0]?.state, 'firing');
  assert.equal(rows[0]?.peak_value, 99);
  assert.deepEqual(
    rows[0]?.state_changes.map((c) => c.to),
    ['pending', 'firing'],
  );

  // Hysteresis: 85 is under the threshold but above the clear threshold (80): still firing.
  clock.advance(MIN);
  await writeCpu(pool, [hot as number], 85, clock.now());
  await rt.engine.evaluate(null);
  assert.equal((await openAlerts(pool, 'high_cpu'))[0]?.state, 'firing');
  clock.advance(MIN);
  await writeCpu(pool, [hot as number], 70, clock.now());
  await rt.engine.evaluate(null);
  const [done] = await openAlerts(pool, 'high_cpu');
  assert.equal(done?.state, 'resolved');
  assert.equal(done?.last_value, 70);
  const { rows: hist } = await pool.query('SELECT fired_at, resolved_at FROM vigil.alerts_history WHERE id = $1', [done?.id]); // prettier-ignore
  assert.ok(hist[0].resolved_at > hist[0].fired_at);
  await pool.query(`UPDATE vigil.alerts_configuration SET enabled = false WHERE name = 'high_cpu'`);
});

test('one rule fans out to one alert per server in scope, and alert.changed is emitted per change', async () => {
  const eu = await addServers(pool, ['eu-1', 'eu-2', 'eu-3'], { region: 'eu', labels: { role: 'db' } });
  const us = await addServers(pool, ['us-1'], { region: 'us', labels: { role: 'db' } });
  await createRule(t, { name: 'eu_db_cpu', metric: 'cpu_usage', aggregation: 'max', window: '1m', operator: '>=', threshold: 50, scope: { region: 'eu', labels: { role: 'db' } } }); // prettier-ignore
  const events: { serverId: number; state: string }[] = [];
  const off = t.app.vigil.ctx.events.on('alert.changed', (e) => void events.push(e));
  await writeCpu(pool, [...eu, ...us], 60, clock.now());
  await rt.engine.evaluate([...eu, ...us]);
  off();
  const rows = await openAlerts(pool, 'eu_db_cpu');
  assert.deepEqual(
    rows.map((r) => r.server_id),
    eu,
  );
  assert.ok(
    rows.every((r) => r.state === 'firing'),
    'for 0 fires at once',
  );
  assert.deepEqual(events.map((e) => e.serverId).sort(), [...eu].sort());
  // Evaluating again with nothing new changes nothing (no duplicate episodes).
  await rt.engine.evaluate(null);
  assert.equal((await openAlerts(pool, 'eu_db_cpu')).length, 3);
});

test('keep_firing_for holds a recovering alert before it resolves', async () => {
  const [id] = await addServers(pool, ['flappy']);
  await createRule(t, { name: 'flappy_cpu', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, keep_firing_for: '2m', scope: { server: 'flappy' } }); // prettier-ignore
  await writeCpu(pool, [id as number], 95, clock.now());
  await rt.engine.evaluate([id as number]);
  clock.advance(MIN);
  await writeCpu(pool, [id as number], 10, clock.now());
  await rt.engine.evaluate([id as number]);
  assert.equal((await openAlerts(pool, 'flappy_cpu'))[0]?.state, 'firing', 'kept firing');
  clock.advance(2 * MIN);
  await writeCpu(pool, [id as number], 10, clock.now());
  await rt.engine.evaluate([id as number]);
  assert.equal((await openAlerts(pool, 'flappy_cpu'))[0]?.state, 'resolved');
});

test('no-data fires when a server stops reporting and resolves when data comes back', async () => {
  const [id] = await addServers(pool, ['silent-host']);
  await createRule(t, { name: 'silent', metric: 'cpu_usage', operator: '>', threshold: 99, no_data: '2m', scope: { server: 'silent-host' } }); // prettier-ignore
  await writeCpu(pool, [id as number], 10, clock.now());
  await rt.engine.evaluate(null);
  assert.equal((await openAlerts(pool, 'silent')).length, 0);
  clock.advance(3 * MIN);
  await rt.engine.evaluate(null); // the timer job: nothing was ingested
  const [a] = await openAlerts(pool, 'silent');
  assert.equal(a?.state, 'firing');
  const { rows } = await pool.query('SELECT reason FROM vigil.alerts_history WHERE id = $1', [a?.id]);
  assert.equal(rows[0].reason, 'no_data');
  await writeCpu(pool, [id as number], 10, clock.now());
  await rt.engine.evaluate([id as number]);
  assert.equal((await openAlerts(pool, 'silent'))[0]?.state, 'resolved');
});

test('series rules aggregate metric_samples of the matching series of each server', async () => {
  const [id] = await addServers(pool, ['api-1']);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO vigil.metric_series (server_id, name, labels) VALUES ($1, 'http_errors', '{"code":"500"}') RETURNING id`,
    [id],
  );
  await pool.query(
    `INSERT INTO vigil.metric_samples (series_id, ts, value)
     SELECT $1, $2::timestamptz - make_interval(secs => g * 10), 20 + g FROM generate_series(0, 5) g`,
    [rows[0]?.id, clock.now()],
  );
  await createRule(t, { name: 'errors_p95', source: 'series', metric: 'http_errors', labels: { code: '500' }, aggregation: 'p95', window: '5m', operator: '>', threshold: 24 }); // prettier-ignore
  await rt.engine.evaluate(null);
  const [a] = await openAlerts(pool, 'errors_p95');
  assert.equal(a?.server_id, id);
  assert.ok(Math.abs((a?.last_value ?? 0) - 24.75) < 1e-9, `p95 of 20..25 is 24.75, got ${a?.last_value}`);
});

test('anomaly rules fire when the combined score is >= x for N points', async () => {
  const [id] = await addServers(pool, ['odd-host']);
  await createRule(t, { name: 'anomalous', source: 'anomaly', threshold: 0.8, for_points: 3, window: '10m' });
  const put = (ago: number, score: number) =>
    pool.query(`INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method) VALUES ($1, $2, '{cpu_usage}', $3, 'combined')`, [id, new Date(clock.now().getTime() - ago * 1000), score]); // prettier-ignore
  await put(120, 0.9);
  await put(60, 0.95);
  t.app.vigil.ctx.events.emit('anomaly.detected', { serverIds: [id as number] });
  await new Promise((r) => setImmediate(r));
  await rt.engine.idle();
  assert.equal((await openAlerts(pool, 'anomalous')).length, 0, 'two points are not three');
  await put(0, 0.5);
  await rt.engine.evaluate([id as number]);
  assert.equal((await openAlerts(pool, 'anomalous')).length, 0, 'one of the last three is below 0.8');
  clock.advance(1000);
  await put(0, 0.85);
  clock.advance(1000);
  await put(0, 0.9);
  clock.advance(1000);
  await put(0, 0.99);
  await rt.engine.evaluate([id as number]);
  const [a] = await openAlerts(pool, 'anomalous');
  assert.equal(a?.state, 'firing');
  assert.equal(a?.last_value, 0.85, 'the least alarming of the last three');
});

test('state survives a restart: a fresh engine on the same database continues, without duplicates', async () => {
  const [id] = await addServers(pool, ['restart-host']);
  await createRule(t, { name: 'restart_rule', metric: 'cpu_usage', operator: '>', threshold: 50, for: '2m', window: '1m', scope: { server: 'restart-host' } }); // prettier-ignore
  await writeCpu(pool, [id as number], 80, clock.now());
  await rt.engine.evaluate([id as number]);
  const fresh = new AlertEngine({ pool, clock, events: t.app.vigil.ctx.events, logger: createLogger('silent'), concurrency: 2 }); // prettier-ignore
  clock.advance(2 * MIN);
  await writeCpu(pool, [id as number], 80, clock.now());
  await fresh.evaluate([id as number]);
  const rows = await openAlerts(pool, 'restart_rule');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.state, 'firing');
  assert.equal(new Date(T0).getTime() <= clock.now().getTime(), true);
});
