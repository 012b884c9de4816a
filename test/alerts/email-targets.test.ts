// Pages to people end to end: an incident escalation step pages a user, queued as user:<id>;
// the alerts module sends it through the configured e-mail channel (alerts.email_channel) with
// `to` replaced by the address it reads at send time, and smtp-server on loopback receives it.
// What can never be delivered is a dead letter that says why. The address is admin-only PII:
// readonly and devops must not find it in any table, view or API response (privacy section).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserWithToken } from '../../src/auth/users.ts';
import type { Role } from '../../src/core/types.ts';
import { withRole } from '../../src/db/transaction.ts';
import { ESCALATION_JOB } from '../../src/incidents/index.ts';
import { until } from '../helpers/eventually.ts';
import { apiWrite, loggingWorker, setup, smtp } from './fixtures.ts';

// A non-default template name, so the test also proves the config key is what is used.
const t = await setup({ email_channel: 'pager-mail' });
const { pool, rt } = t;
const alice = await createUserWithToken(pool, {
  username: 'alice',
  role: 'devops',
  email: 'alice@example.com',
});
const aliceTarget = `user:${alice.user.id}`;

const call = apiWrite.bind(null, t);

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
  await until(async () => (await outbox(aliceTarget)).length === 1, 'the dead letter');
  const [row] = await outbox(aliceTarget);
  assert.equal(row?.state, 'dead');
  assert.equal(
    row?.last_error,
    `no e-mail channel named 'pager-mail' to send ${aliceTarget} through; create one or set alerts.email_channel`,
  );
});

test('an escalation step that pages a user by e-mail arrives at the SMTP server', async () => {
  const mail = await smtp();
  await call('POST', '/api/v1/alerts/channels', { name: 'pager-mail', kind: 'email', to: ['team@example.com'], from: 'Vigil <vigil@example.com>', smtp: { host: '127.0.0.1', port: mail.port, tls: 'none' } }); // prettier-ignore
  const inc = await pageAlice('database down');
  await until(async () => (await outbox(aliceTarget)).length === 2, 'the queued page');
  await rt.flush();
  assert.equal(mail.mails.length, 1);
  const [m] = mail.mails;
  assert.deepEqual(m?.to, ['alice@example.com'], 'only the paged person, not the template recipients');
  assert.equal(m?.from, 'vigil@example.com', 'the template sender');
  assert.match(m?.data ?? '', new RegExp(`Subject: \\[CRITICAL\\] Incident #${inc.id}: database down`));
  const rows = await outbox(aliceTarget);
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

// --- privacy: the address is admin-only ---------------------------------------------------------

/** Points the template channel back at an e-mail server (an earlier test made it slack). */
async function template(port: number) {
  await pool.query(
    `UPDATE vigil.notification_channels SET kind = 'email', settings = jsonb_set(settings, '{port}', to_jsonb($1::int))
      WHERE name = 'pager-mail'`,
    [port],
  );
}

/**
 * Everything `role` can read in schema vigil, as text: every table, view and materialized view,
 * with all the columns the role may select (users and channels are readable only in part).
 */
async function everythingReadableBy(role: Role): Promise<{ text: string; relations: string[] }> {
  const { rows: rels } = await pool.query<{ rel: string; cols: string[] }>(
    `SELECT c.relname AS rel, array_agg(quote_ident(a.attname) ORDER BY a.attnum) AS cols
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'vigil' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
        AND has_column_privilege($1, c.oid, a.attnum, 'SELECT')
      GROUP BY c.relname ORDER BY 1`,
    [`vigil_${role}`],
  );
  let text = '';
  await withRole(pool, role, async (c) => {
    for (const { rel, cols } of rels) {
      const { rows } = await c.query(`SELECT ${cols.join(', ')} FROM vigil.${rel}`);
      text += `${rel}: ${JSON.stringify(rows)}\n`;
    }
  });
  return { text, relations: rels.map((r) => r.rel) };
}

test('readonly and devops find the paged address in no table, view or API response', async () => {
  const mail = await smtp();
  await template(mail.port);
  const inc = await pageAlice('privacy check');
  await until(async () => (await outbox(aliceTarget)).length === 3, 'the queued page');
  await rt.flush();
  assert.deepEqual(
    mail.mails.map((m) => m.to),
    [['alice@example.com']],
    'the mail still arrives',
  );

  // The queued page and its delivery are there, by user id; the address only in users.email.
  for (const role of ['readonly', 'devops'] as const) {
    const { text, relations } = await everythingReadableBy(role);
    assert.ok(relations.includes('notification_deliveries') && relations.includes('incidents'), role);
    assert.match(text, new RegExp(`"channel_name":"${aliceTarget}"`), `${role} sees the page`);
    assert.doesNotMatch(text, /alice@example\.com/i, `${role} can read the address somewhere`);
  }
  // Admin is the one role that may read it, so the scan does find it there.
  assert.match((await everythingReadableBy('admin')).text, /alice@example\.com/);

  const urls = [
    '/api/v1/alerts/deliveries',
    '/api/v1/alerts/deliveries?state=dead',
    '/api/v1/incidents',
    `/api/v1/incidents/${inc.id}`,
    `/api/v1/incidents/${inc.id}/timeline`,
    '/api/v1/escalation-policies',
    '/api/v1/escalation-policies/alice-first',
    '/api/v1/alerts/channels',
  ];
  for (const role of ['readonly', 'devops'] as const) {
    for (const url of urls) {
      const res = await t.inject({ method: 'GET', url, headers: t.app.as(role) });
      assert.doesNotMatch(res.body, /alice@example\.com/i, `${role} GET ${url}`);
    }
  }
  const deliveries = await t.inject({ method: 'GET', url: '/api/v1/alerts/deliveries', headers: t.app.as('readonly') }); // prettier-ignore
  assert.equal(deliveries.statusCode, 200);
  assert.ok(deliveries.body.includes(aliceTarget), 'the delivery list names the target by user id');
});

test('an SMTP refusal that quotes the address: dead letter and log say user:<id>, never the address', async () => {
  const refusing = await smtp({ refuse: true });
  await template(refusing.port);
  await pageAlice('refused');
  await until(async () => (await outbox(aliceTarget)).some((r) => r.state === 'pending'), 'the queued page');
  const { worker, logged } = loggingWorker(t);
  await worker.drain();
  const dead = (await outbox(aliceTarget)).at(-1);
  assert.equal(dead?.state, 'dead');
  // smtp-server's refusal reads "mailbox alice@example.com unavailable".
  assert.match(dead?.last_error ?? '', new RegExp(`mailbox <e-mail address of ${aliceTarget}> unavailable`));
  assert.doesNotMatch(dead?.last_error ?? '', /alice@example\.com/i);
  assert.match(logged(), /notification is a dead letter/);
  assert.doesNotMatch(logged(), /alice@example\.com/i, 'the log never carries the address');
});

test('a user deleted, disabled or without address between queueing and delivery: a dead letter that says so', async () => {
  const mail = await smtp();
  await template(mail.port);
  const people = [];
  for (const username of ['carol', 'dave', 'erin']) {
    const u = await createUserWithToken(pool, { username, role: 'devops', email: `${username}@example.com` });
    people.push({ username, id: u.user.id, target: `user:${u.user.id}` });
  }
  // One incident each, paged at once: all three pages are queued before anything changes.
  for (const [i, p] of people.entries()) {
    await call('PUT', `/api/v1/escalation-policies/only-${p.username}`, { steps: [{ notify_user: p.username, wait_minutes: 5 }] }); // prettier-ignore
    await call('POST', '/api/v1/incidents', { title: `page ${i}`, severity: 'critical', escalation_policy: `only-${p.username}` }, 'devops'); // prettier-ignore
  }
  await t.app.vigil.scheduler.runNow(ESCALATION_JOB);
  for (const p of people)
    await until(async () => (await outbox(p.target)).length === 1, `${p.username}'s page`);

  const [carol, dave, erin] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
  // Carol leaves: her policy stops naming her (a user a step pages cannot be deleted), then she goes.
  await call('PUT', '/api/v1/escalation-policies/only-carol', {
    steps: [{ channels: ['ops'], wait_minutes: 5 }],
  });
  await pool.query('DELETE FROM vigil.users WHERE id = $1', [carol.id]);
  await pool.query('UPDATE vigil.users SET disabled_at = now() WHERE id = $1', [dave.id]);
  await pool.query('UPDATE vigil.users SET email = NULL WHERE id = $1', [erin.id]);
  await rt.flush();

  assert.deepEqual(mail.mails, [], 'nobody was mailed');
  const reasons = await Promise.all(people.map(async (p) => (await outbox(p.target))[0]));
  assert.deepEqual(
    reasons.map((r) => [r?.state, r?.last_error]),
    [
      ['dead', `attempt 1: user #${carol.id} no longer exists (deleted after the page was queued)`],
      ['dead', `attempt 1: user #${dave.id} (dave) is disabled`],
      ['dead', `attempt 1: user #${erin.id} (erin) has no e-mail address`],
    ],
  );
});

test('a page whose address migration 0052 masked is queued as a dead letter that says so', async () => {
  const masked = 'email:masked-7';
  t.app.vigil.ctx.events.emit('notification.requested', { title: 'x', text: 'y', severity: 'critical', source: 'incident', channel: masked, dedupKey: 'old-1' }); // prettier-ignore
  await until(async () => (await outbox(masked)).length === 1, 'the dead letter');
  assert.deepEqual(await outbox(masked), [
    {
      state: 'dead',
      dedup_key: 'old-1',
      last_error:
        'the address of this page matched no single user, so it was masked when pages moved to user ids (migration 0052)',
    },
  ]);
});
