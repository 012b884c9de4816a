// email:<address> targets end to end: an incident escalation step pages a user, the alerts
// module sends it through the configured e-mail channel (alerts.email_channel) with `to`
// replaced, and smtp-server on loopback receives it. What can never be delivered is a dead
// letter that says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserWithToken } from '../../src/auth/users.ts';
import { ESCALATION_JOB } from '../../src/incidents/index.ts';
import { setup, smtp, until } from './fixtures.ts';

// A non-default template name, so the test also proves the config key is what is used.
const t = await setup({ email_channel: 'pager-mail' });
const { pool, rt } = t;
await createUserWithToken(pool, { username: 'alice', role: 'devops', email: 'alice@example.com' });

async function call(
  method: 'POST' | 'PUT',
  url: string,
  payload: object,
  role: 'admin' | 'devops' = 'admin',
) {
  const res = await t.inject({ method, url, headers: t.app.as(role), payload });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number };
}

async function outbox(channel: string) {
  const { rows } = await pool.query<{ state: string; last_error: string | null; dedup_key: string }>(
    'SELECT state, last_error, dedup_key FROM vigil.notification_outbox WHERE channel_name = $1 ORDER BY id',
    [channel],
  );
  return rows;
}

/** Opens an incident under a policy that pages alice, and runs the escalation job. */
async function pageAlice(title: string) {
  const inc = await call('POST', '/api/v1/incidents', { title, severity: 'critical', escalation_policy: 'alice-first' }, 'devops'); // prettier-ignore
  await t.app.vigil.scheduler.runNow(ESCALATION_JOB);
  return inc;
}

await call('PUT', '/api/v1/escalation-policies/alice-first', {
  steps: [{ notify_user: 'alice', wait_minutes: 5 }],
});

test('without the template channel an e-mail page is a dead letter that says what to do', async () => {
  await pageAlice('no mail channel yet');
  await until(async () => (await outbox('email:alice@example.com')).length === 1, 'the dead letter');
  const [row] = await outbox('email:alice@example.com');
  assert.equal(row?.state, 'dead');
  assert.equal(
    row?.last_error,
    "no e-mail channel named 'pager-mail' to send email:alice@example.com through; create one or set alerts.email_channel",
  );
});

test('an escalation step that pages a user by e-mail arrives at the SMTP server', async () => {
  const mail = await smtp();
  await call('POST', '/api/v1/alerts/channels', { name: 'pager-mail', kind: 'email', to: ['team@example.com'], from: 'Vigil <vigil@example.com>', smtp: { host: '127.0.0.1', port: mail.port, tls: 'none' } }); // prettier-ignore
  const inc = await pageAlice('database down');
  await until(async () => (await outbox('email:alice@example.com')).length === 2, 'the queued page');
  await rt.flush();
  assert.equal(mail.mails.length, 1);
  const [m] = mail.mails;
  assert.deepEqual(m?.to, ['alice@example.com'], 'only the paged person, not the template recipients');
  assert.equal(m?.from, 'vigil@example.com', 'the template sender');
  assert.match(m?.data ?? '', new RegExp(`Subject: \\[CRITICAL\\] Incident #${inc.id}: database down`));
  const rows = await outbox('email:alice@example.com');
  assert.equal(rows[1]?.state, 'delivered');
  assert.match(rows[1]?.dedup_key ?? '', /^incident-notify:\d+$/);
});

test('an address that is not one, or a template of the wrong kind, is a dead letter', async () => {
  const request = { title: 'x', text: 'y', severity: 'critical' as const, source: 'incident' as const };
  const bad = 'email:not an address';
  t.app.vigil.ctx.events.emit('notification.requested', { ...request, channel: bad, dedupKey: 'bad-1' });
  await until(async () => (await outbox(bad)).length === 1, 'the dead letter');
  assert.equal((await outbox(bad))[0]?.state, 'dead');
  assert.match((await outbox(bad))[0]?.last_error ?? '', /is not a valid email:<address> target/);

  await pool.query(`UPDATE vigil.notification_channels SET kind = 'slack' WHERE name = 'pager-mail'`);
  const bob = 'email:bob@example.com';
  t.app.vigil.ctx.events.emit('notification.requested', { ...request, channel: bob, dedupKey: 'bob-1' });
  await until(async () => (await outbox(bob)).length === 1, 'the dead letter');
  assert.equal((await outbox(bob))[0]?.state, 'dead');
  assert.match(
    (await outbox(bob))[0]?.last_error ?? '',
    /channel 'pager-mail' is a slack channel, not an e-mail channel/,
  );
});
