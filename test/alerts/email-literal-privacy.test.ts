// A policy step may name a literal `email:<address>` (a mailbox that belongs to no user). The
// page is queued with that target, so the address is in notification_outbox (channel_name, and
// last_error when an SMTP server quotes it). Since 0044 only admin reads the outbox table; the
// other roles read the view notification_deliveries, which hides the address, and the
// deliveries / dead-letter API goes through the same view. Delivery itself is unchanged: the
// SMTP peer on loopback still gets the mail at that address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withRole } from '../../src/db/transaction.ts';
import { ESCALATION_JOB } from '../../src/incidents/index.ts';
import { assertRefused } from '../helpers/sql.ts';
import { until } from '../helpers/eventually.ts';
import { apiWrite, loggingWorker, setup, smtp } from './fixtures.ts';

const t = await setup({ email_channel: 'pager-mail' });
const { pool, rt } = t;
const ADDRESS = 'Team-List@example.org';
const TARGET = `email:${ADDRESS}`;
const HIDDEN = 'email:<address hidden>';

const call = apiWrite.bind(null, t);

async function page(title: string) {
  await call('POST', '/api/v1/incidents', { title, severity: 'critical', escalation_policy: 'team-list' }, 'devops'); // prettier-ignore
  await t.app.vigil.scheduler.runNow(ESCALATION_JOB);
  await until(async () => {
    const { rows } = await pool.query(
      `SELECT 1 FROM vigil.notification_outbox WHERE channel_name = $1 AND payload->>'title' LIKE $2`,
      [TARGET, `%${title}%`],
    );
    return rows.length === 1;
  }, 'the queued page');
}

const mail = await smtp();
await call('POST', '/api/v1/alerts/channels', { name: 'pager-mail', kind: 'email', to: ['template@example.com'], from: 'Vigil <vigil@example.com>', smtp: { host: '127.0.0.1', port: mail.port, tls: 'none' } }); // prettier-ignore
await call('PUT', '/api/v1/escalation-policies/team-list', {
  steps: [{ channels: [TARGET], wait_minutes: 5 }],
});

/** Points the template channel at an SMTP server that refuses every recipient, quoting it. */
async function sendThroughRefusingSmtp() {
  const refusing = await smtp({ refuse: true });
  await pool.query(
    `UPDATE vigil.notification_channels SET settings = jsonb_set(settings, '{port}', to_jsonb($1::int)) WHERE name = 'pager-mail'`,
    [refusing.port],
  );
}

const addressPattern = /team-list@example\.org/i;

test('a literal email: step is still delivered to that address over SMTP', async () => {
  await page('disk full');
  await rt.flush();
  assert.deepEqual(
    mail.mails.map((m) => m.to),
    [[ADDRESS]],
  );
  const { rows } = await pool.query('SELECT state FROM vigil.notification_outbox WHERE channel_name = $1', [
    TARGET,
  ]);
  assert.deepEqual(rows, [{ state: 'delivered' }]);
});

test('readonly and devops see the delivery with the address hidden, in SQL and in the API; admin sees it', async () => {
  // A refusal that quotes the address lands in last_error ("mailbox … unavailable").
  await sendThroughRefusingSmtp();
  await page('api down');
  await rt.flush();
  const { rows: raw } = await pool.query<{ last_error: string }>(
    `SELECT last_error FROM vigil.notification_outbox WHERE channel_name = $1 AND last_error IS NOT NULL`,
    [TARGET],
  );
  assert.match(raw[0]?.last_error ?? '', addressPattern, 'the owner stores the refusal as it came');

  for (const role of ['readonly', 'devops'] as const) {
    const { rows } = await withRole(pool, role, (c) =>
      c.query<{ channel_name: string; last_error: string | null }>(
        `SELECT channel_name, last_error FROM vigil.notification_deliveries WHERE source = 'incident' ORDER BY id`,
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.channel_name),
      [HIDDEN, HIDDEN],
      role,
    );
    assert.match(rows[1]?.last_error ?? '', /mailbox <address hidden> unavailable/, role);
    assert.doesNotMatch(JSON.stringify(rows), addressPattern, role);
    for (const url of ['/api/v1/alerts/deliveries', '/api/v1/alerts/deliveries?state=pending']) {
      const res = await t.inject({ method: 'GET', url, headers: t.app.as(role) });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.body.includes(HIDDEN), `${role} GET ${url} lists the page`);
      assert.doesNotMatch(res.body, addressPattern, `${role} GET ${url}`);
    }
  }
  const res = await t.inject({ method: 'GET', url: '/api/v1/alerts/deliveries', headers: t.app.as('admin') });
  assert.ok(res.body.includes(TARGET), 'admin sees the real target');
  assert.match(res.body, /mailbox team-list@example\.org unavailable/i);
});

test('the incident timeline (append-only, read by devops) names the step, not the address', async () => {
  const { rows } = await withRole(pool, 'devops', (c) =>
    c.query<{ details: { channel?: string } }>(
      `SELECT details FROM vigil.incident_response_logs WHERE action = 'notified' ORDER BY id`,
    ),
  );
  assert.ok(rows.length >= 2);
  assert.ok(
    rows.every((r) => r.details.channel === HIDDEN),
    JSON.stringify(rows),
  );
  const res = await t.inject({ method: 'GET', url: '/api/v1/incidents', headers: t.app.as('devops') });
  const incidents = res.json() as { id: number }[];
  assert.equal(incidents.length, 2);
  for (const inc of incidents) {
    const timeline = await t.inject({ method: 'GET', url: `/api/v1/incidents/${inc.id}/timeline`, headers: t.app.as('devops') }); // prettier-ignore
    assert.equal(timeline.statusCode, 200);
    assert.ok(timeline.body.includes(HIDDEN));
    assert.doesNotMatch(timeline.body, addressPattern);
  }
});

test('as vigil_readonly / vigil_devops in raw SQL: the outbox table is refused with 42501', async () => {
  for (const role of ['readonly', 'devops'] as const)
    for (const sql of [
      'SELECT channel_name FROM vigil.notification_outbox',
      'SELECT last_error FROM vigil.notification_outbox',
      'SELECT count(*) FROM vigil.notification_outbox',
    ])
      await assertRefused(
        withRole(pool, role, (c) => c.query(sql)),
        { sqlstate: '42501', message: /permission denied for table notification_outbox/ },
        `${role}: ${sql}`,
      );
  // A placeholder left by migration 0042 carries no address and stays readable as it is.
  await pool.query(
    `INSERT INTO vigil.notification_outbox (channel_name, source, dedup_key, payload, state, next_attempt_at, created_at, last_error)
     VALUES ('email:masked-3', 'incident', 'old', '{}', 'dead', now(), now(), 'masked')`,
  );
  const { rows } = await withRole(pool, 'readonly', (c) =>
    c.query(`SELECT channel_name FROM vigil.notification_deliveries WHERE dedup_key = 'old'`),
  );
  assert.deepEqual(rows, [{ channel_name: 'email:masked-3' }]);
});

test('the delivery log hides a literal address, in the channel and in a refusal that quotes it', async () => {
  await sendThroughRefusingSmtp();
  await page('logged refusal');
  const { worker, logged } = loggingWorker(t);
  await worker.drain();
  assert.match(logged(), /notification is a dead letter/);
  assert.match(logged(), /email:<address hidden>/, 'the log names the target, masked');
  assert.match(logged(), /mailbox <address hidden> unavailable/, "the refusal's quote is masked");
  assert.doesNotMatch(logged(), addressPattern, 'the log never carries the address');
});
