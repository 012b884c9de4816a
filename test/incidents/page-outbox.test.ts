// A page decided by an escalation survives losing its event: the first Vigil commits the
// escalation while nothing listens for 'notification.requested' (the alerts module is not
// running: the same as a crash right after the commit); the next Vigil hands the page over
// again and the alerts outbox gets it exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserWithToken } from '../../src/auth/users.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { ESCALATION_JOB, incidentsModule } from '../../src/incidents/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { testApp, testConfig } from '../helpers/app.ts';
import { api, minutes } from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z');
// Incidents only: nobody hears 'notification.requested', so the event is dropped.
const first = await testApp({ clock, modules: [incidentsModule] });
const pool = first.db.pool;
const call = api(first);
const alice = await createUserWithToken(pool, {
  username: 'alice',
  role: 'devops',
  email: 'alice@example.com',
});

const requests = async () =>
  (await pool.query('SELECT channel, dedup_key, emits FROM vigil.incident_page_requests ORDER BY id')).rows;
const outbox = async () =>
  (
    await pool.query<{ channel_name: string; dedup_key: string }>(
      'SELECT channel_name, dedup_key FROM vigil.notification_outbox ORDER BY id',
    )
  ).rows;

test('a page whose event was lost is handed over again after a restart and queued exactly once', async () => {
  const policy = await call('admin', 'PUT', '/api/v1/escalation-policies/oncall', {
    steps: [{ notify_user: 'alice', channels: ['ops-hook'], wait_minutes: 30 }],
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  const inc = await call('devops', 'POST', '/api/v1/incidents', {
    title: 'disk full',
    severity: 'critical',
    escalation_policy: 'oncall',
  });
  assert.equal(inc.status, 201, JSON.stringify(inc.body));
  await first.vigil.scheduler.runNow(ESCALATION_JOB);
  const { rows: notified } = await pool.query(
    `SELECT id FROM vigil.incident_response_logs WHERE incident_id = $1 AND action = 'notified' ORDER BY id`,
    [inc.body.id],
  );
  assert.equal(notified.length, 2, 'the timeline says both were notified');
  const pending = await requests();
  assert.deepEqual(
    pending.map((r) => r.channel),
    [`user:${alice.user.id}`, 'ops-hook'],
    'both pages are kept until the alerts module confirms them',
  );
  assert.deepEqual(await outbox(), [], 'the event went nowhere');
  assert.deepEqual(
    pending.map((r) => r.emits),
    [1, 1],
  );
  // Still unconfirmed a minute later: the job hands them over again (and again, backing off).
  clock.advance(minutes(1));
  await first.vigil.scheduler.runNow(ESCALATION_JOB);
  assert.deepEqual(
    (await requests()).map((r) => r.emits),
    [2, 2],
  );
  await first.vigil.scheduler.runNow(ESCALATION_JOB);
  assert.deepEqual(
    (await requests()).map((r) => r.emits),
    [2, 2],
    'not before the doubled delay',
  );
  await first.vigil.close();

  // The next Vigil, every module. Its first escalation run hands over what was left, at once.
  const second = await startVigil({
    config: testConfig(first.db.url),
    logger: createLogger('silent'),
    clock,
    listen: false,
  });
  try {
    const seen: string[] = [];
    second.ctx.events.on('notification.enqueued', (e) => {
      seen.push(e.dedupKey);
    });
    await second.scheduler.runNow(ESCALATION_JOB);
    await waitFor(async () => (await requests()).length === 0, 'the confirmations');
    // Each page is queued by its own listener call, so in no particular order.
    const queued = (await outbox()).sort((a, b) => a.dedup_key.localeCompare(b.dedup_key));
    assert.deepEqual(
      queued.map((r) => [r.dedup_key, r.channel_name]),
      pending.map((r) => [r.dedup_key, r.channel]).sort((a, b) => a[0].localeCompare(b[0])),
      'the pages the first Vigil committed, with their dedup keys',
    );
    assert.equal(seen.length, 2);

    // Confirmed pages are not handed over again, however often the job runs.
    clock.advance(minutes(10));
    await second.scheduler.runNow(ESCALATION_JOB);
    await second.scheduler.runNow(ESCALATION_JOB);
    await new Promise((r) => setImmediate(r));
    assert.equal(seen.length, 2, 'nothing emitted again');
    assert.equal((await outbox()).length, 2, 'still exactly once');
  } finally {
    await second.close();
  }
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
