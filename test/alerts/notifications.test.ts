import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { until } from '../helpers/eventually.ts';
import { addServers, createRule, receiver, setup, smtp, writeCpu } from './fixtures.ts';

const t = await setup({ group_window: '30s', repeat_interval: '1h' });
const { pool, clock, rt, inject } = t;
const admin = t.app.as('admin');
const SECRET = 'a-very-long-hmac-secret';

async function channel(body: Record<string, unknown>) {
  const res = await inject({ method: 'POST', url: '/api/v1/alerts/channels', headers: admin, payload: body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function outbox(name: string) {
  const { rows } = await pool.query(
    'SELECT id, state, attempts, last_error, next_attempt_at FROM vigil.notification_outbox WHERE channel_name = $1 ORDER BY id',
    [name],
  );
  return rows;
}

test('firing alerts of one rule and region go out as one signed webhook after the group window', async () => {
  const hook = await receiver();
  await channel({ name: 'ops-hook', kind: 'webhook', url: hook.url, hmac_secret: SECRET });
  const ids = await addServers(pool, ['web-1', 'web-2', 'web-3'], { region: 'eu' });
  await createRule(t, { name: 'web_cpu', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, severity: 'critical', scope: { region: 'eu' }, channels: ['ops-hook'], runbook_url: 'https://runbooks.example.com/cpu' }); // prettier-ignore
  await writeCpu(pool, ids, 95, clock.now());
  await rt.engine.evaluate(ids);
  await rt.flush();
  assert.equal(hook.received.length, 0, 'held for the group window');
  clock.advance(31_000);
  await rt.flush();
  assert.equal(hook.received.length, 1, 'one message for three alerts');
  const msg = hook.received[0]!;
  const alerts = msg.json.alerts as { hostname: string; status: string }[];
  assert.deepEqual(alerts.map((a) => a.hostname).sort(), ['web-1', 'web-2', 'web-3']);
  assert.equal(msg.json.status, 'firing');
  assert.match(String(msg.json.title), /FIRING:3.*web_cpu.*eu/);
  const ts = String(msg.headers['x-vigil-timestamp']);
  const expected = createHmac('sha256', SECRET).update(`${ts}.${msg.body}`).digest('hex');
  assert.equal(msg.headers['x-vigil-signature'], `sha256=${expected}`);
  assert.equal((await outbox('ops-hook'))[0]?.state, 'delivered');

  // Running the notifier again (or after a restart) sends nothing more before the repeat interval.
  await rt.flush();
  assert.equal(hook.received.length, 1);
  clock.advance(3_600_000);
  await writeCpu(pool, ids, 95, clock.now());
  await rt.engine.evaluate(ids);
  await rt.flush();
  assert.equal(hook.received.length, 2, 'repeated after repeat_interval');

  // Resolved notice, grouped as well.
  await writeCpu(pool, ids, 10, clock.now());
  await rt.engine.evaluate(ids);
  clock.advance(31_000);
  await rt.flush();
  assert.equal(hook.received.length, 3);
  assert.equal(hook.received[2]!.json.status, 'resolved');
});

test('a receiver answering 500 is retried with backoff, then dead-lettered and listed by the API', async () => {
  const hook = await receiver({ status: 500 });
  await channel({ name: 'broken-hook', kind: 'webhook', url: hook.url });
  const [id] = await addServers(pool, ['db-1'], { region: 'us' });
  await createRule(t, { name: 'db_cpu', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, scope: { server: 'db-1' }, channels: ['broken-hook'] }); // prettier-ignore
  await writeCpu(pool, [id!], 99, clock.now());
  await rt.engine.evaluate([id!]);
  clock.advance(31_000);
  await rt.flush();
  let [row] = await outbox('broken-hook');
  assert.equal(row.state, 'pending');
  assert.equal(row.attempts, 1);
  assert.match(row.last_error, /HTTP 500/);
  assert.equal(new Date(row.next_attempt_at).getTime() - clock.now().getTime(), 10_000, 'first backoff');
  await rt.flush();
  assert.equal(hook.received.length, 1, 'not retried before the backoff');
  clock.advance(10_000);
  await rt.flush();
  [row] = await outbox('broken-hook');
  assert.equal(new Date(row.next_attempt_at).getTime() - clock.now().getTime(), 20_000, 'backoff doubles');
  clock.advance(20_000);
  await rt.flush();
  [row] = await outbox('broken-hook');
  assert.equal(row.state, 'dead');
  assert.equal(hook.received.length, 3);
  const res = await inject({ method: 'GET', url: '/api/v1/alerts/deliveries?state=dead', headers: t.app.as('readonly') }); // prettier-ignore
  assert.equal(res.statusCode, 200);
  assert.ok(res.json().some((d: { id: number; last_error: string }) => d.id === row.id && /attempt 3: .*HTTP 500/.test(d.last_error))); // prettier-ignore
  // An admin requeues it once the receiver is fixed.
  hook.behaviour.status = 200;
  const retry = await inject({
    method: 'POST',
    url: `/api/v1/alerts/deliveries/${row.id}/retry`,
    headers: admin,
  });
  assert.equal(retry.statusCode, 200, retry.body);
  await rt.flush();
  assert.equal((await outbox('broken-hook'))[0]?.state, 'delivered');
});

test('a hanging webhook times out without holding up other deliveries', async () => {
  const hang = await receiver({ hang: true });
  const ok = await receiver();
  await channel({ name: 'hang-hook', kind: 'webhook', url: hang.url });
  await channel({ name: 'fine-hook', kind: 'webhook', url: ok.url });
  const [id] = await addServers(pool, ['cache-1'], { region: 'ap' });
  await createRule(t, { name: 'cache_cpu', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, scope: { server: 'cache-1' }, channels: ['hang-hook', 'fine-hook'] }); // prettier-ignore
  await writeCpu(pool, [id!], 99, clock.now());
  await rt.engine.evaluate([id!]);
  clock.advance(31_000);
  await rt.flush();
  assert.equal(ok.received.length, 1);
  assert.equal(hang.received.length, 1);
  const [row] = await outbox('hang-hook');
  assert.equal(row.state, 'pending');
  assert.match(row.last_error, /timed out/);
});

test('Slack and e-mail channels deliver to real peers; a refusing SMTP server is reported clearly', async () => {
  const slack = await receiver();
  const mail = await smtp();
  const refusing = await smtp({ refuse: true });
  await channel({ name: 'slack', kind: 'slack', url: `${slack.url}/T000/B000/XXXX` });
  await channel({ name: 'mail', kind: 'email', to: ['oncall@example.com'], from: 'Vigil <vigil@example.com>', smtp: { host: '127.0.0.1', port: mail.port, tls: 'none' } }); // prettier-ignore
  const bad = await inject({ method: 'POST', url: '/api/v1/alerts/channels', headers: admin, payload: { name: 'bad-mail', kind: 'email', to: 'x@example.com', from: 'v@example.com', smtp: { host: '127.0.0.1', port: refusing.port, tls: 'none' }, verify: true } }); // prettier-ignore
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /failed its test delivery: SMTP server refused: 550/);
  const listed = await inject({ method: 'GET', url: '/api/v1/alerts/channels', headers: admin });
  assert.ok(!listed.json().some((c: { name: string }) => c.name === 'bad-mail'), 'not saved');

  const [id] = await addServers(pool, ['mq-1'], { region: 'sa' });
  await createRule(t, { name: 'mq_cpu', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 90, scope: { server: 'mq-1' }, channels: ['slack', 'mail'] }); // prettier-ignore
  await writeCpu(pool, [id!], 99, clock.now());
  await rt.engine.evaluate([id!]);
  clock.advance(31_000);
  await rt.flush();
  assert.equal(slack.received.length, 1);
  assert.match(String(slack.received[0]!.json.text), /FIRING:1\] mq_cpu/);
  assert.ok(Array.isArray(slack.received[0]!.json.attachments));
  assert.equal(mail.mails.length, 1);
  assert.deepEqual(mail.mails[0]!.to, ['oncall@example.com']);
  assert.match(mail.mails[0]!.data, /Subject: \[FIRING:1\] mq_cpu/);
});

test('notification.requested (incident escalation) is delivered once per dedup key', async () => {
  const hook = await receiver();
  await channel({ name: 'incident-hook', kind: 'webhook', url: hook.url });
  const request = { channel: 'incident-hook', title: 'Incident 7 escalated', text: 'nobody acknowledged', severity: 'critical' as const, dedupKey: 'incident:7:escalation:1', source: 'incident' as const, incidentId: 7 }; // prettier-ignore
  t.app.vigil.ctx.events.emit('notification.requested', request);
  t.app.vigil.ctx.events.emit('notification.requested', request);
  await until(async () => (await outbox('incident-hook')).length > 0, 'the queued notification');
  await new Promise((r) => setTimeout(r, 100)); // let the duplicate's insert land too
  await rt.flush();
  assert.equal(hook.received.length, 1);
  assert.equal(hook.received[0]!.json.incident_id, 7);
  t.app.vigil.ctx.events.emit('notification.requested', { ...request, channel: 'nope', dedupKey: 'x' });
  await until(async () => (await outbox('nope')).length > 0, 'the dead letter');
  const [dead] = await outbox('nope');
  assert.equal(dead.state, 'dead');
  assert.match(dead.last_error, /no notification channel named nope/);
});
