// A channel's settings name who it reaches (an e-mail channel's `to` list, sender and SMTP user,
// a webhook's target), so since migration 0043 only admin may read them: readonly and devops
// still list which channels exist and whether they are on, through the API and in SQL, but
// PostgreSQL refuses them the settings column itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withRole } from '../../src/db/transaction.ts';
import { assertRefused } from '../helpers/sql.ts';
import { setup, smtp } from './fixtures.ts';

const t = await setup();
const { pool, inject } = t;
const RECIPIENT = 'night-shift@example.com';
const SENDER = 'vigil-sender@example.com';

/** Admin replaces the e-mail channel's settings, sending to `to`. */
const putMailTo = (to: string) =>
  inject({
    method: 'PUT',
    url: '/api/v1/alerts/channels/oncall-mail',
    headers: t.app.as('admin'),
    payload: {
      name: 'oncall-mail',
      kind: 'email',
      to: [to],
      from: SENDER,
      smtp: { host: 'smtp.example.com' },
    },
  });

const created = await inject({
  method: 'POST',
  url: '/api/v1/alerts/channels',
  headers: t.app.as('admin'),
  payload: { name: 'oncall-mail', kind: 'email', to: [RECIPIENT], from: `Vigil <${SENDER}>`, smtp: { host: 'smtp.example.com', username: 'smtp-user-42', password: 'pw-secret' } }, // prettier-ignore
});
assert.equal(created.statusCode, 201, created.body);
const hook = await inject({
  method: 'POST',
  url: '/api/v1/alerts/channels',
  headers: t.app.as('admin'),
  payload: { name: 'ops-hook', kind: 'webhook', url: 'https://hooks.example.net/private-path' },
});
assert.equal(hook.statusCode, 201, hook.body);

test('readonly and devops list channels through the API without settings', async () => {
  for (const role of ['readonly', 'devops'] as const) {
    const res = await inject({ method: 'GET', url: '/api/v1/alerts/channels', headers: t.app.as(role) });
    assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
    const list = res.json() as Record<string, unknown>[];
    assert.deepEqual(
      list.map((c) => [c.name, c.kind, c.enabled, c.send_resolved]),
      [
        ['oncall-mail', 'email', true, true],
        ['ops-hook', 'webhook', true, true],
      ],
      role,
    );
    assert.ok(
      list.every((c) => !('settings' in c)),
      role,
    );
    for (const leak of [RECIPIENT, SENDER, 'smtp-user-42', 'hooks.example.net', 'private-path'])
      assert.ok(!res.body.includes(leak), `${role} sees ${leak}`);
  }
});

test('admin still reads and edits settings through the API', async () => {
  const res = await inject({ method: 'GET', url: '/api/v1/alerts/channels', headers: t.app.as('admin') });
  assert.equal(res.statusCode, 200, res.body);
  const mail = (res.json() as { name: string; settings?: { to?: string[] } }[]).find(
    (c) => c.name === 'oncall-mail',
  );
  assert.deepEqual(mail?.settings?.to, [RECIPIENT]);
  const put = await putMailTo('day-shift@example.com');
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json().settings.to, ['day-shift@example.com']);
  await putMailTo(RECIPIENT);
});

test('as vigil_readonly / vigil_devops in raw SQL: settings is refused with 42501, the rest is readable', async () => {
  for (const role of ['readonly', 'devops'] as const) {
    for (const sql of [
      'SELECT settings FROM vigil.notification_channels',
      `SELECT name FROM vigil.notification_channels WHERE settings->'to' ? $1`,
      'SELECT * FROM vigil.notification_channels',
    ])
      await assertRefused(
        withRole(pool, role, (c) => c.query(sql, sql.includes('$1') ? [RECIPIENT] : [])),
        { sqlstate: '42501', message: /permission denied for table notification_channels/ },
        `${role}: ${sql}`,
      );
    const { rows } = await withRole(pool, role, (c) =>
      c.query('SELECT name, kind, enabled FROM vigil.notification_channels ORDER BY name'),
    );
    assert.equal(rows.length, 2, role);
  }
  const { rows } = await withRole(pool, 'admin', (c) =>
    c.query(`SELECT settings->'to' AS "to" FROM vigil.notification_channels WHERE name = 'oncall-mail'`),
  );
  assert.deepEqual(rows[0], { to: [RECIPIENT] });
});

test('an SMTP refusal quoting a channel recipient is stored without the address', async () => {
  const refusing = await smtp({ refuse: true });
  await pool.query(
    `UPDATE vigil.notification_channels SET settings = settings || jsonb_build_object('host', '127.0.0.1', 'port', $1::int, 'tls', 'none')
      WHERE name = 'oncall-mail'`,
    [refusing.port],
  );
  t.app.vigil.ctx.events.emit('notification.requested', { title: 'x', text: 'y', severity: 'critical', source: 'incident', channel: 'oncall-mail', dedupKey: 'refused-1' }); // prettier-ignore
  await t.rt.flush();
  const { rows } = await pool.query<{ last_error: string | null }>(
    `SELECT last_error FROM vigil.notification_outbox WHERE dedup_key = 'refused-1'`,
  );
  assert.match(rows[0]?.last_error ?? '', /mailbox <a recipient of channel oncall-mail> unavailable/);
  const res = await inject({
    method: 'GET',
    url: '/api/v1/alerts/deliveries',
    headers: t.app.as('readonly'),
  });
  assert.ok(res.body.includes('refused-1'));
  assert.ok(!res.body.toLowerCase().includes(RECIPIENT), 'readonly reads no recipient in the error');
});
