import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { handleAlert } from '../../src/incidents/grouping.ts';
import { ALERT_SWEEP_JOB } from '../../src/incidents/index.ts';
import { testApp } from '../helpers/app.ts';
import {
  api,
  emitAlert,
  firingAlert,
  logActions,
  minutes,
  nextIncidentChange,
  resolveAlert,
} from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z');
const app = await testApp({ clock });
const call = api(app);

async function incidentOf(alertId: number): Promise<number | null> {
  const { rows } = await app.db.pool.query('SELECT incident_id FROM vigil.alerts_history WHERE id = $1', [
    alertId,
  ]);
  return rows[0].incident_id;
}

test('a firing alert opens an incident titled after its rule and host, with the alert linked', async () => {
  const a = await firingAlert(app, {
    region: 'eu-west',
    firedAt: clock.now(),
    runbook: 'https://rb.example.com/cpu',
  });
  const changed = await emitAlert(app, a);
  assert.equal(changed.status, 'triggered');
  const inc = await call('readonly', 'GET', `/api/v1/incidents/${changed.incidentId}`);
  assert.equal(inc.status, 200);
  assert.equal(inc.body.source, 'alert');
  assert.equal(inc.body.region, 'eu-west');
  assert.equal(inc.body.severity, 'critical');
  assert.match(inc.body.title, /^cpu-high-\d+ on web-\d+$/);
  assert.equal(inc.body.alerts.length, 1);
  assert.equal(inc.body.alerts[0].runbook_url, 'https://rb.example.com/cpu');
  assert.deepEqual(await logActions(app, changed.incidentId), ['created', 'alert_linked']);
});

test('alerts of the same region and severity within the window join; others open their own', async () => {
  clock.advance(minutes(60));
  const first = await firingAlert(app, { region: 'us-east', firedAt: clock.now() });
  const opened = await emitAlert(app, first);
  clock.advance(minutes(10));
  const same = await firingAlert(app, { region: 'us-east', firedAt: clock.now() });
  assert.equal((await emitAlert(app, same)).incidentId, opened.incidentId, 'joins within 15 minutes');
  const otherRegion = await firingAlert(app, { region: 'ap-south', firedAt: clock.now() });
  assert.notEqual((await emitAlert(app, otherRegion)).incidentId, opened.incidentId);
  const otherSeverity = await firingAlert(app, {
    region: 'us-east',
    severity: 'warning',
    firedAt: clock.now(),
  });
  assert.notEqual((await emitAlert(app, otherSeverity)).incidentId, opened.incidentId);
  clock.advance(minutes(6));
  const late = await firingAlert(app, { region: 'us-east', firedAt: clock.now() });
  assert.notEqual(
    (await emitAlert(app, late)).incidentId,
    opened.incidentId,
    '16 minutes after: a new incident',
  );
  const inc = await call('devops', 'GET', `/api/v1/incidents/${opened.incidentId}`);
  assert.equal(inc.body.alert_count, 2);
  assert.deepEqual(await logActions(app, opened.incidentId), ['created', 'alert_linked', 'alert_linked']);
});

test('a resolved incident is not joined: the next alert opens a new one', async () => {
  clock.advance(minutes(60));
  const a = await firingAlert(app, { region: 'eu-north', firedAt: clock.now() });
  const first = await emitAlert(app, a);
  await call('devops', 'POST', `/api/v1/incidents/${first.incidentId}/resolve`);
  const b = await firingAlert(app, { region: 'eu-north', firedAt: clock.now() });
  assert.notEqual((await emitAlert(app, b)).incidentId, first.incidentId);
});

test('alerts firing at the same moment in one group open exactly one incident', async () => {
  clock.advance(minutes(60));
  const alerts = await Promise.all(
    Array.from({ length: 4 }, () => firingAlert(app, { region: 'sa-east', firedAt: clock.now() })),
  );
  // Each alert yields one 'incident.changed' (opened or joined).
  let pending = alerts.length;
  const done = new Promise<void>((resolve) => {
    const off = app.vigil.ctx.events.on('incident.changed', () => {
      if (--pending === 0) {
        off();
        resolve();
      }
    });
  });
  for (const a of alerts) app.vigil.ctx.events.emit('alert.changed', { ...a, state: 'firing' });
  await done;
  const ids = new Set(await Promise.all(alerts.map((x) => incidentOf(x.alertId))));
  assert.equal(ids.size, 1);
});

test('a repeated event does not link an alert twice', async () => {
  clock.advance(minutes(60));
  const a = await firingAlert(app, { region: 'eu-south', firedAt: clock.now() });
  const first = await emitAlert(app, a);
  const again = await handleAlert(app.db.pool, a.alertId, clock.now(), {
    autoOpen: true,
    severities: ['critical'],
    windowMs: 0,
    autoResolve: false,
  });
  assert.deepEqual(again, { kind: 'ignored', reason: 'already linked' });
  await app.vigil.scheduler.runNow(ALERT_SWEEP_JOB);
  assert.deepEqual(await logActions(app, first.incidentId), ['created', 'alert_linked']);
});

test('info alerts open no incident; a missed event is caught up by the sweep job', async () => {
  clock.advance(minutes(60));
  const info = await firingAlert(app, { region: 'eu-east', severity: 'info', firedAt: clock.now() });
  const missed = await firingAlert(app, { region: 'eu-east', firedAt: clock.now() });
  const changed = nextIncidentChange(app);
  await app.vigil.scheduler.runNow(ALERT_SWEEP_JOB); // no event was emitted for either alert
  assert.equal((await changed).status, 'triggered');
  assert.notEqual(await incidentOf(missed.alertId), null);
  assert.equal(await incidentOf(info.alertId), null, 'info is not in auto_open_severities');
});

test('resolving alerts leaves the incident to people unless auto_resolve is on', async () => {
  clock.advance(minutes(60));
  const a = await firingAlert(app, { region: 'me-central', firedAt: clock.now() });
  const opened = await emitAlert(app, a);
  await resolveAlert(app, a, clock.now());
  const outcome = await handleAlert(app.db.pool, a.alertId, clock.now(), {
    autoOpen: true,
    severities: ['critical'],
    windowMs: app.config.incidents.group_window,
    autoResolve: app.config.incidents.auto_resolve,
  });
  assert.deepEqual(outcome, { kind: 'ignored', reason: 'resolved alert' });
  const inc = await call('devops', 'GET', `/api/v1/incidents/${opened.incidentId}`);
  assert.equal(inc.body.status, 'triggered');
});

test('with incidents.auto_resolve the incident resolves when its last alert does', async () => {
  const clock2 = new ManualClock('2026-03-02T10:00:00Z');
  const app2 = await testApp({ clock: clock2, overrides: { incidents: { auto_resolve: true } } });
  const a = await firingAlert(app2, { region: 'eu-west', firedAt: clock2.now() });
  const b = await firingAlert(app2, { region: 'eu-west', firedAt: clock2.now() });
  const opened = await emitAlert(app2, a);
  await emitAlert(app2, b);
  clock2.advance(minutes(20));
  await resolveAlert(app2, a, clock2.now());
  await resolveAlert(app2, b, clock2.now());
  const resolved = await emitAlert(app2, b, 'resolved');
  assert.equal(resolved.incidentId, opened.incidentId);
  assert.equal(resolved.status, 'resolved');
  const actions = await logActions(app2, opened.incidentId);
  assert.equal(actions.at(-1), 'resolved');
});
