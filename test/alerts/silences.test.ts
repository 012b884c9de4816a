import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSince, parseCron } from '../../src/alerts/cron.ts';
import { addServers, createRule, openAlerts, receiver, setup, writeCpu } from './fixtures.ts';

const t = await setup({ group_window: '0s', repeat_interval: '4h' });
const { pool, clock, rt, inject } = t;
const devops = t.app.as('devops');
const hook = await receiver();
await inject({ method: 'POST', url: '/api/v1/alerts/channels', headers: t.app.as('admin'), payload: { name: 'hook', kind: 'webhook', url: hook.url } }); // prettier-ignore

const hostsIn = (i: number) => (hook.received[i]?.json.alerts as { hostname: string }[]).map((a) => a.hostname).sort(); // prettier-ignore

test('cron windows: weekly starts in a time zone, open for their duration', () => {
  const c = parseCron('0 2 * * sat');
  // Saturday 2026-03-07 02:30 in Berlin is 01:30 UTC.
  assert.ok(openSince(c, 'Europe/Berlin', new Date('2026-03-07T01:30:00Z'), 4 * 3_600_000));
  assert.equal(openSince(c, 'Europe/Berlin', new Date('2026-03-07T00:30:00Z'), 4 * 3_600_000), null);
  assert.equal(openSince(c, 'Europe/Berlin', new Date('2026-03-07T05:30:00Z'), 4 * 3_600_000), null);
  assert.ok(openSince(parseCron('*/15 9-17 * * mon-fri'), 'UTC', new Date('2026-03-02T09:20:00Z'), 600_000));
  assert.throws(() => parseCron('0 25 * * *'), /hour.*0-23/);
  assert.throws(() => parseCron('0 2 * *'), /5 fields/);
});

test('a silenced alert is recorded but not notified, and is notified at once when the silence ends', async () => {
  const ids = await addServers(pool, ['s-1', 's-2'], { region: 'eu' });
  await createRule(t, { name: 'silence_me', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, scope: { region: 'eu' }, channels: ['hook'] }); // prettier-ignore
  const bad = await inject({ method: 'POST', url: '/api/v1/alerts/silences', headers: devops, payload: { matchers: ['hostname=~".*"'], duration: '1h' } }); // prettier-ignore
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /every alert/);
  const created = await inject({ method: 'POST', url: '/api/v1/alerts/silences', headers: devops, payload: { matchers: ['alertname="silence_me"', 'hostname="s-1"'], duration: '1h', comment: 'replacing disk' } }); // prettier-ignore
  assert.equal(created.statusCode, 201, created.body);
  const readonly = await inject({ method: 'POST', url: '/api/v1/alerts/silences', headers: t.app.as('readonly'), payload: { matchers: ['hostname="s-2"'], duration: '1h' } }); // prettier-ignore
  assert.equal(readonly.statusCode, 403);

  await writeCpu(pool, ids, 99, clock.now());
  await rt.engine.evaluate(ids);
  await rt.flush();
  assert.equal(hook.received.length, 1);
  assert.deepEqual(hostsIn(0), ['s-2'], 's-1 is silenced');
  const s1 = (await openAlerts(pool, 'silence_me')).find((a) => a.server_id === ids[0]);
  assert.equal(s1?.state, 'firing', 'recorded anyway');
  assert.match(s1?.state_changes.at(-1)?.note ?? '', /held by silence/);

  clock.advance(10 * 60_000);
  const del = await inject({
    method: 'DELETE',
    url: `/api/v1/alerts/silences/${created.json().id}`,
    headers: devops,
  });
  assert.equal(del.statusCode, 204);
  await rt.flush();
  assert.equal(hook.received.length, 2, 'notified at once, not after the 4h repeat interval');
  assert.deepEqual(hostsIn(1), ['s-1']);
});

test('a recurring maintenance window holds notifications; when it ends the firing alert is sent at once', async () => {
  const [id] = await addServers(pool, ['maint-1'], { region: 'us', labels: { tier: 'db' } });
  const other = await addServers(pool, ['maint-2'], { region: 'us', labels: { tier: 'web' } });
  await createRule(t, { name: 'maint_rule', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, scope: { region: 'us' }, channels: ['hook'] }); // prettier-ignore
  // Now is Monday 12:10 UTC; a weekly Monday 12:00 window of 30 minutes for tier=db in region us.
  const w = await inject({ method: 'POST', url: '/api/v1/alerts/maintenance', headers: devops, payload: { name: 'db patching', weekly: { days: ['mon'], start: '12:00' }, duration: '30m', scope: { region: 'us', labels: { tier: 'db' } } } }); // prettier-ignore
  assert.equal(w.statusCode, 201, w.body);
  assert.equal(w.json().cron, '0 12 * * mon');
  assert.equal(w.json().open_now, true);
  const badTz = await inject({ method: 'POST', url: '/api/v1/alerts/maintenance', headers: devops, payload: { name: 'x', cron: '0 2 * * *', duration: '1h', timezone: 'Mars/Olympus' } }); // prettier-ignore
  assert.equal(badTz.statusCode, 400);

  const before = hook.received.length;
  await writeCpu(pool, [id!, ...other], 99, clock.now());
  await rt.engine.evaluate([id!, ...other]);
  await rt.flush();
  assert.equal(hook.received.length, before + 1);
  assert.deepEqual(hostsIn(before), ['maint-2'], 'maint-1 is in maintenance');

  clock.advance(25 * 60_000); // 12:35: the window closed at 12:30
  await writeCpu(pool, [id!, ...other], 99, clock.now());
  await rt.engine.evaluate([id!, ...other]);
  await rt.flush();
  assert.equal(hook.received.length, before + 2);
  assert.deepEqual(hostsIn(before + 1), ['maint-1']);
});
