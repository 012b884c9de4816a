import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { ALLOWED_FROM, canTransition } from '../../src/incidents/index.ts';
import { transition } from '../../src/incidents/lifecycle.ts';
import { testApp } from '../helpers/app.ts';
import { api, logActions, minutes } from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z');
const app = await testApp({ clock });
const call = api(app);

async function open(title = 'db primary down', extra: object = {}) {
  const res = await call('devops', 'POST', '/api/v1/incidents', {
    title,
    severity: 'critical',
    region: 'eu-west',
    ...extra,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: number; status: string };
}

test('the transition table: acknowledge from triggered, resolve from open, reopen from resolved', () => {
  assert.deepEqual(ALLOWED_FROM, {
    acknowledge: ['triggered'],
    resolve: ['triggered', 'acknowledged'],
    reopen: ['resolved'],
  });
  assert.equal(canTransition('acknowledged', 'acknowledge'), false);
  assert.equal(canTransition('resolved', 'resolve'), false);
  assert.equal(canTransition('triggered', 'reopen'), false);
});

test('an incident goes triggered → acknowledged → resolved → triggered (reopen), each step logged', async () => {
  const inc = await open();
  assert.equal(inc.status, 'triggered');
  clock.advance(minutes(3));
  const acked = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/acknowledge`);
  assert.equal(acked.status, 200);
  assert.equal(acked.body.status, 'acknowledged');
  assert.equal(acked.body.acknowledged_by_name, 'test-devops');
  assert.equal(acked.body.acknowledged_at, '2026-03-02T10:03:00.000Z');
  clock.advance(minutes(10));
  const resolved = await call('admin', 'POST', `/api/v1/incidents/${inc.id}/resolve`, {
    note: 'failed over',
  });
  assert.equal(resolved.body.status, 'resolved');
  assert.equal(resolved.body.resolved_at, '2026-03-02T10:13:00.000Z');
  const reopened = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/reopen`, {
    note: 'flapping again',
  });
  assert.equal(reopened.status, 200);
  assert.equal(reopened.body.status, 'triggered');
  assert.equal(reopened.body.acknowledged_at, null, 'a reopened incident needs a new acknowledgement');
  assert.equal(reopened.body.resolved_at, null);
  assert.deepEqual(await logActions(app, inc.id), ['created', 'acknowledged', 'resolved', 'reopened']);
});

test('illegal transitions are refused with 409 ILLEGAL_TRANSITION naming the current state', async () => {
  const inc = await open('disk full');
  const reopen = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/reopen`);
  assert.equal(reopen.status, 409);
  assert.equal(reopen.body.error.code, 'ILLEGAL_TRANSITION');
  assert.match(reopen.body.error.message, /cannot reopen incident \d+: it is open \(triggered\)/);
  await call('devops', 'POST', `/api/v1/incidents/${inc.id}/resolve`);
  const ack = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/acknowledge`);
  assert.equal(ack.status, 409);
  assert.match(ack.body.error.message, /it is resolved; reopen it first/);
  assert.equal(ack.body.error.details.status, 'resolved');
  const again = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/resolve`);
  assert.equal(again.status, 409);
  assert.match(again.body.error.message, /already resolved/);
  const missing = await call('devops', 'POST', '/api/v1/incidents/999999/acknowledge');
  assert.equal(missing.status, 404);
  assert.deepEqual(await logActions(app, inc.id), ['created', 'resolved'], 'refusals write nothing');
});

test('two people acknowledging at once: one wins, the other gets 409 naming the winner, both see one state', async () => {
  const inc = await open('api 5xx');
  const [a, b] = await Promise.all([
    call('devops', 'POST', `/api/v1/incidents/${inc.id}/acknowledge`),
    call('admin', 'POST', `/api/v1/incidents/${inc.id}/acknowledge`),
  ]);
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [200, 409]);
  const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
  assert.equal(loser.body.error.code, 'ILLEGAL_TRANSITION');
  assert.equal(loser.body.error.details.acknowledged_by, winner.body.acknowledged_by_name);
  const seenByDevops = await call('devops', 'GET', `/api/v1/incidents/${inc.id}`);
  const seenByAdmin = await call('admin', 'GET', `/api/v1/incidents/${inc.id}`);
  assert.deepEqual(seenByDevops.body, seenByAdmin.body);
  assert.equal(seenByDevops.body.acknowledged_by_name, winner.body.acknowledged_by_name);
  assert.deepEqual(await logActions(app, inc.id), ['created', 'acknowledged']);
});

test('edits: severity, assignee, title are changed and logged with from/to', async () => {
  const inc = await open('queue backlog');
  const res = await call('devops', 'PATCH', `/api/v1/incidents/${inc.id}`, {
    severity: 'warning',
    assignee: 'test-admin',
    title: 'queue backlog on eu-west',
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.severity, 'warning');
  assert.equal(res.body.assignee, 'test-admin');
  const tl = await call('devops', 'GET', `/api/v1/incidents/${inc.id}/timeline`);
  const byAction = Object.fromEntries(tl.body.map((l: { action: string }) => [l.action, l]));
  assert.deepEqual(byAction.severity_changed.details, { from: 'critical', to: 'warning' });
  assert.equal(byAction.assigned.details.to, 'test-admin');
  assert.deepEqual(byAction.updated.details.title, { from: 'queue backlog', to: 'queue backlog on eu-west' });
  const bad = await call('devops', 'PATCH', `/api/v1/incidents/${inc.id}`, { assignee: 'nobody-here' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /assignee "nobody-here" is not an active user/);
});

test('notes and runbook steps land in the timeline with actor and time', async () => {
  const inc = await open('cache stampede');
  clock.advance(minutes(1));
  const note = await call('devops', 'POST', `/api/v1/incidents/${inc.id}/notes`, {
    text: 'looking at redis',
  });
  assert.equal(note.status, 201);
  const step = await call('admin', 'POST', `/api/v1/incidents/${inc.id}/runbook-steps`, {
    step: '1. flush hot keys',
    runbook_url: 'https://runbooks.example.com/cache',
  });
  assert.equal(step.status, 201);
  const tl = await call('devops', 'GET', `/api/v1/incidents/${inc.id}/timeline`);
  assert.equal(tl.status, 200);
  const last = tl.body.slice(-2);
  assert.deepEqual(
    last.map((l: { action: string; actor: string; ts: string }) => [l.action, l.actor, l.ts]),
    [
      ['note_added', 'test-devops', clock.now().toISOString()],
      ['runbook_step_done', 'test-admin', clock.now().toISOString()],
    ],
  );
  assert.equal(last[1].text, 'runbook step done by test-admin: 1. flush hot keys');
});

test('readonly lists and reads incidents but cannot read the timeline or change anything', async () => {
  const inc = await open('latency');
  const list = await call('readonly', 'GET', '/api/v1/incidents?status=open');
  assert.equal(list.status, 200);
  assert.ok(list.body.some((i: { id: number }) => i.id === inc.id));
  assert.ok(list.body.every((i: { status: string }) => i.status !== 'resolved'));
  assert.equal((await call('readonly', 'GET', `/api/v1/incidents/${inc.id}`)).status, 200);
  for (const [method, url, body] of [
    ['GET', `/api/v1/incidents/${inc.id}/timeline`, undefined],
    ['POST', `/api/v1/incidents/${inc.id}/acknowledge`, undefined],
    ['POST', `/api/v1/incidents/${inc.id}/resolve`, undefined],
    ['POST', `/api/v1/incidents/${inc.id}/notes`, { text: 'hi' }],
    ['POST', '/api/v1/incidents', { title: 'x', severity: 'info' }],
  ] as const) {
    const res = await call('readonly', method, url, body);
    assert.equal(res.status, 403, `${method} ${url}`);
    assert.equal(res.body.error.details.sqlstate, '42501', 'refused by PostgreSQL, not by the app');
  }
  const { rows } = await app.db.pool.query('SELECT status FROM vigil.incidents WHERE id = $1', [inc.id]);
  assert.equal(rows[0].status, 'triggered');
});

test('incident_response_logs refuses UPDATE, DELETE and TRUNCATE for every role, the owner included', async () => {
  const inc = await open('append only');
  for (const role of [null, 'vigil_admin', 'vigil_devops', 'vigil_readonly']) {
    for (const sql of [
      `UPDATE vigil.incident_response_logs SET details = '{"forged":true}' WHERE incident_id = ${inc.id}`,
      `DELETE FROM vigil.incident_response_logs WHERE incident_id = ${inc.id}`,
      'TRUNCATE vigil.incident_response_logs',
    ]) {
      const client = await app.db.pool.connect();
      try {
        await client.query('BEGIN');
        if (role) await client.query(`SET LOCAL ROLE ${role}`);
        await assert.rejects(
          client.query(sql),
          (e: { code?: string }) => e.code === '42501',
          `${role}: ${sql}`,
        );
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
  }
  assert.deepEqual(await logActions(app, inc.id), ['created']);
});

test('the acknowledgement race at the database: the second UPDATE waits for the first, then changes nothing', async () => {
  const inc = await open('race');
  const [a, b] = [await app.db.pool.connect(), await app.db.pool.connect()];
  try {
    for (const c of [a, b]) await c.query(`BEGIN; SET LOCAL ROLE vigil_devops`);
    const users = await app.db.pool.query<{ id: number; username: string }>(
      `SELECT id, username FROM vigil.users WHERE username IN ('test-devops', 'test-admin') ORDER BY username`,
    );
    const [admin, devops] = [users.rows[0]!, users.rows[1]!];
    const first = await transition(a, inc.id, 'acknowledge', devops.id, clock.now());
    assert.equal(first.status, 'acknowledged');
    const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const second = transition(b, inc.id, 'acknowledge', admin.id, clock.now()).then(
      () => null,
      (e: unknown) => e,
    );
    // Wait until the second transaction is really blocked on the first one's row lock.
    for (;;) {
      const { rows } = await app.db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
        [bPid],
      );
      if (rows.length > 0) break;
      await new Promise((r) => setImmediate(r));
    }
    await a.query('COMMIT');
    const err = (await second) as { code?: string; details?: { acknowledged_by?: string } } | null;
    assert.equal(err?.code, 'ILLEGAL_TRANSITION');
    assert.equal(err?.details?.acknowledged_by, 'test-devops');
    await b.query('ROLLBACK');
  } finally {
    a.release();
    b.release();
  }
  assert.deepEqual(await logActions(app, inc.id), ['created', 'acknowledged']);
});

test('the incident routes are described in /openapi.json', async () => {
  const res = await app.vigil.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const paths = Object.keys(res.json().paths);
  for (const p of [
    '/api/v1/incidents',
    '/api/v1/incidents/{id}/acknowledge',
    '/api/v1/incidents/{id}/timeline',
    '/api/v1/incidents/{id}/postmortem.md',
    '/api/v1/escalation-policies/{name}',
    '/api/v1/reports/incidents',
  ]) {
    assert.ok(paths.includes(p), p);
  }
});
