// devops may update only the incident columns the lifecycle API writes (migration 0053): the
// whole lifecycle still works through the API as devops, escalation included, while raw SQL as
// vigil_devops that touches any other column is refused by PostgreSQL itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserWithToken } from '../../src/auth/users.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { withRole } from '../../src/db/transaction.ts';
import { ESCALATION_JOB } from '../../src/incidents/index.ts';
import { testApp } from '../helpers/app.ts';
import { assertRefused } from '../helpers/sql.ts';
import { api, logActions, minutes } from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z');
const app = await testApp({ clock });
const call = api(app);
const pool = app.db.pool;
await createUserWithToken(pool, { username: 'oncall', role: 'devops', email: 'oncall@example.com' });
await call('admin', 'PUT', '/api/v1/escalation-policies/first', { steps: [{ channels: ['ops'], wait_minutes: 5 }] }); // prettier-ignore
await call('admin', 'PUT', '/api/v1/escalation-policies/second', { steps: [{ notify_user: 'oncall', wait_minutes: 5 }, { channels: ['ops'], wait_minutes: 5 }] }); // prettier-ignore

test('as devops through the API: open, edit, escalate, acknowledge, resolve and reopen all work', async () => {
  const opened = await call('devops', 'POST', '/api/v1/incidents', { title: 'api down', severity: 'warning', region: 'eu-west', escalation_policy: 'first' }); // prettier-ignore
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const id = opened.body.id as number;
  const edited = await call('devops', 'PATCH', `/api/v1/incidents/${id}`, {
    title: 'api down in eu-west',
    summary: 'p99 over 5 s',
    severity: 'critical',
    assignee: 'oncall',
    escalation_policy: 'second',
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.equal(edited.body.severity, 'critical');
  await app.vigil.scheduler.runNow(ESCALATION_JOB);
  clock.advance(minutes(5));
  await app.vigil.scheduler.runNow(ESCALATION_JOB); // step 2 of the new policy
  for (const t of ['acknowledge', 'resolve', 'reopen', 'resolve']) {
    const res = await call('devops', 'POST', `/api/v1/incidents/${id}/${t}`, {});
    assert.equal(res.status, 200, `${t}: ${JSON.stringify(res.body)}`);
  }
  assert.deepEqual(
    (await logActions(app, id)).filter((a) => a !== 'notified'),
    ['created', 'updated', 'severity_changed', 'assigned', 'escalated', 'acknowledged', 'resolved', 'reopened', 'resolved'], // prettier-ignore
  );
});

test('as vigil_devops in raw SQL: a column outside the lifecycle is refused with 42501', async () => {
  const { rows } = await pool.query<{ id: number; created_at: Date }>(
    `INSERT INTO vigil.incidents (title, severity, region) VALUES ('x', 'info', 'eu-west') RETURNING id, created_at`,
  );
  const inc = rows[0] as { id: number; created_at: Date };
  for (const set of [
    `created_at = created_at - interval '1 day'`,
    'created_by = NULL',
    `source = 'alert'`,
    `region = 'forged'`,
    // One forbidden column among allowed ones is enough to refuse the whole statement.
    `status = 'acknowledged', acknowledged_at = now(), created_at = now()`,
  ]) {
    await assertRefused(
      withRole(pool, 'devops', (c) => c.query(`UPDATE vigil.incidents SET ${set} WHERE id = $1`, [inc.id])),
      { sqlstate: '42501', message: /permission denied for table incidents/ },
      set,
    );
  }
  // The same principal may still do what the lifecycle does.
  await withRole(pool, 'devops', (c) =>
    c.query(`UPDATE vigil.incidents SET status = 'acknowledged', acknowledged_at = now() WHERE id = $1`, [
      inc.id,
    ]),
  );
  const after = await pool.query('SELECT status, created_at, region FROM vigil.incidents WHERE id = $1', [
    inc.id,
  ]);
  assert.deepEqual(after.rows[0], { status: 'acknowledged', created_at: inc.created_at, region: 'eu-west' });
});
