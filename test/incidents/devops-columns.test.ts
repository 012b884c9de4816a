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

// --- INSERT (0054): who opened an incident, when and from where is not the inserter's choice ---

test('as devops through the API: opening an incident stamps the caller, the clock and source manual', async () => {
  const opened = await call('devops', 'POST', '/api/v1/incidents', { title: 'disk full', severity: 'info', summary: 's', region: 'us-east', assignee: 'oncall', escalation_policy: 'first' }); // prettier-ignore
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const { rows } = await pool.query(
    `SELECT i.source, u.username AS created_by, i.created_at, i.next_escalation_at, i.region, i.summary
       FROM vigil.incidents i LEFT JOIN vigil.users u ON u.id = i.created_by WHERE i.id = $1`,
    [opened.body.id],
  );
  assert.deepEqual(rows[0], {
    source: 'manual',
    created_by: 'test-devops',
    created_at: clock.now(),
    next_escalation_at: clock.now(),
    region: 'us-east',
    summary: 's',
  });
  assert.equal(opened.body.created_by, await userId('test-devops'));
  const byAdmin = await call('admin', 'POST', '/api/v1/incidents', { title: 'by admin', severity: 'info' });
  assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
  assert.equal(byAdmin.body.created_by, await userId('test-admin'));
});

async function userId(username: string): Promise<number> {
  const { rows } = await pool.query<{ id: number }>('SELECT id FROM vigil.users WHERE username = $1', [
    username,
  ]);
  return rows[0]?.id as number;
}

test('as vigil_devops / vigil_admin in raw SQL: naming created_at, created_by or source is refused with 42501', async () => {
  const someone = await userId('oncall');
  for (const role of ['devops', 'admin'] as const) {
    for (const [cols, values] of [
      ['created_at', `now() - interval '30 days'`],
      ['created_by', String(someone)],
      ['source', `'alert'`],
      // One forbidden column among allowed ones is enough to refuse the whole statement.
      ['summary, created_at', `'s', now()`],
    ] as const) {
      await assertRefused(
        withRole(pool, role, (c) =>
          c.query(
            `INSERT INTO vigil.incidents (title, severity, ${cols}) VALUES ('forged', 'info', ${values})`,
          ),
        ),
        { sqlstate: '42501', message: /permission denied for table incidents/ },
        `${role}: ${cols}`,
      );
    }
  }
  // Without them the trigger stamps them, whatever the statement's defaults would say: a plain
  // INSERT outside the API is by nobody, now, and manual.
  const { rows } = await withRole(pool, 'devops', (c) =>
    c.query<{ source: string; created_by: number | null; recent: boolean }>(
      `INSERT INTO vigil.incidents (title, severity) VALUES ('raw', 'info')
       RETURNING source, created_by, created_at > now() - interval '1 minute' AS recent`,
    ),
  );
  assert.deepEqual(rows[0], { source: 'manual', created_by: null, recent: true });
  // The owner (alert grouping) still names every column.
  const owner = await pool.query<{ source: string }>(
    `INSERT INTO vigil.incidents (title, severity, source, created_at) VALUES ('grouped', 'info', 'alert', $1) RETURNING source`,
    [clock.now()],
  );
  assert.deepEqual(owner.rows[0], { source: 'alert' });
});
