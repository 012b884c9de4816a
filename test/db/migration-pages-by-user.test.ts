// Migrations 0042 and 0052 on rows written before pages went by user id: an e-mail target whose
// address belongs to exactly one user becomes user:<id>; any other is masked, and a masked page
// that was still waiting becomes a dead letter saying why instead of vanishing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations, migrate } from '../../src/db/migrator.ts';
import { emptyDatabase } from '../helpers/database.ts';

const all = loadMigrations();
const before = (version: string) => all.filter((m) => m.version < version);

test('old email:<address> pages are rewritten to user ids or masked, and no address is left', async () => {
  const { pool } = await emptyDatabase();
  await migrate(pool, { migrations: before('0042') });
  const user = async (username: string, email: string | null) =>
    (
      await pool.query<{ id: number }>(
        'INSERT INTO vigil.users (username, role, email) VALUES ($1, $2, $3) RETURNING id',
        [username, 'devops', email],
      )
    ).rows[0]?.id as number;
  const alice = await user('alice', 'Alice@example.com');
  await user('twin-a', 'twin@example.com');
  await user('twin-b', 'twin@example.com');
  const outbox = async (channel: string, state: string, lastError: string | null) =>
    (
      await pool.query<{ id: number }>(
        `INSERT INTO vigil.notification_outbox (channel_name, source, dedup_key, payload, state, next_attempt_at,
                                               created_at, delivered_at, last_error)
         VALUES ($1, 'incident', 'incident-notify:' || $1, '{}', $2, now(), now(),
                 CASE WHEN $2 = 'delivered' THEN now() END, $3) RETURNING id`,
        [channel, state, lastError],
      )
    ).rows[0]?.id as number;
  const delivered = await outbox('email:alice@example.com', 'delivered', null);
  const refused = await outbox(
    'email:ALICE@example.com',
    'pending',
    'attempt 1: SMTP server refused: 450 mailbox ALICE@example.com busy',
  );
  const stranger = await outbox(
    'email:oncall-lead@example.com',
    'pending',
    "no e-mail channel named 'email' to send email:oncall-lead@example.com through",
  );
  const twin = await outbox('email:twin@example.com', 'dead', 'attempt 3: timed out');
  const hook = await outbox('ops-hook', 'pending', null);

  await migrate(pool, { migrations: before('0052') });
  const incident = (
    await pool.query<{ id: number }>(
      `INSERT INTO vigil.incidents (title, severity) VALUES ('old', 'critical') RETURNING id`,
    )
  ).rows[0]?.id as number;
  const page = async (channel: string, key: string) =>
    (
      await pool.query<{ id: number }>(
        `INSERT INTO vigil.incident_page_requests (incident_id, channel, dedup_key, title, body, severity,
                                                  created_at, next_emit_at)
         VALUES ($1, $2, $3, 't', 'b', 'critical', now(), now()) RETURNING id`,
        [incident, channel, key],
      )
    ).rows[0]?.id as number;
  await page('email:alice@example.com', 'k1');
  const ghost = await page('email:ghost@example.com', 'k2');
  await page('ops-hook', 'k3');

  await migrate(pool);
  const { rows } = await pool.query(
    'SELECT id, channel_name, state, last_error FROM vigil.notification_outbox ORDER BY id',
  );
  assert.deepEqual(rows, [
    { id: delivered, channel_name: `user:${alice}`, state: 'delivered', last_error: null },
    {
      id: refused,
      channel_name: `user:${alice}`,
      state: 'pending',
      last_error: `attempt 1: SMTP server refused: 450 mailbox user:${alice} busy`,
    },
    {
      id: stranger,
      channel_name: `email:masked-${stranger}`,
      state: 'dead',
      last_error:
        'the address of this page matched no single user, so it was masked when pages moved to user ids (migration 0042)',
    },
    // Two users share the address: which one was meant is unknown, so it is masked too.
    { id: twin, channel_name: `email:masked-${twin}`, state: 'dead', last_error: 'attempt 3: timed out' },
    { id: hook, channel_name: 'ops-hook', state: 'pending', last_error: null },
  ]);
  const pages = await pool.query('SELECT channel FROM vigil.incident_page_requests ORDER BY id');
  assert.deepEqual(
    pages.rows.map((r) => r.channel),
    [`user:${alice}`, `email:masked-${ghost}`, 'ops-hook'],
  );
  const dump = JSON.stringify([rows, pages.rows]);
  assert.doesNotMatch(dump, /@example\.com/i, 'no address survives in either table');
});
