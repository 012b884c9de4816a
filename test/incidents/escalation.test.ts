import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserWithToken } from '../../src/auth/users.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { ESCALATION_JOB } from '../../src/incidents/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { testApp, testConfig } from '../helpers/app.ts';
import { api, collectNotifications, logActions, minutes, pagesConfirmed } from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z');
const app = await testApp({ clock });
const call = api(app);
const notes = collectNotifications(app);
const escalate = async () => {
  await app.vigil.scheduler.runNow(ESCALATION_JOB);
  await pagesConfirmed(app);
};
const alice = await createUserWithToken(app.db.pool, {
  username: 'alice',
  role: 'devops',
  email: 'alice@example.com',
});
// A person is paged by user id; the address is looked up only when the mail is sent.
const aliceTarget = `user:${alice.user.id}`;
await createUserWithToken(app.db.pool, { username: 'bob', role: 'devops' });

const primary = {
  description: 'database on-call',
  steps: [
    { notify_user: 'alice', wait_minutes: 5 },
    { channels: ['ops-slack', 'email:oncall-lead@example.com'], wait_minutes: 10 },
  ],
  repeat_count: 1,
};

async function openIncident(title: string, policy: string | null) {
  const res = await call('devops', 'POST', '/api/v1/incidents', {
    title,
    severity: 'critical',
    escalation_policy: policy,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await escalate(); // waits for the kick that pages the first step
  return res.body as { id: number };
}

const sent = (id: number) => notes.filter((n) => n.incidentId === id).map((n) => n.channel);

test('admin creates and replaces policies with PUT; devops reads; readonly and devops cannot write', async () => {
  const created = await call('admin', 'PUT', '/api/v1/escalation-policies/db-oncall', primary);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(
    created.body.steps.map((s: { notify_user: string | null; channels: string[] }) => [
      s.notify_user,
      s.channels,
    ]),
    [
      ['alice', []],
      [null, ['ops-slack', 'email:oncall-lead@example.com']],
    ],
  );
  const again = await call('admin', 'PUT', '/api/v1/escalation-policies/db-oncall', primary);
  assert.equal(again.status, 200, 'applying the same policy again replaces it');
  assert.equal(again.body.id, created.body.id);
  assert.equal((await call('devops', 'GET', '/api/v1/escalation-policies/db-oncall')).status, 200);
  const devopsWrite = await call('devops', 'PUT', '/api/v1/escalation-policies/mine', primary);
  assert.equal(devopsWrite.status, 403);
  assert.equal((await call('readonly', 'GET', '/api/v1/escalation-policies')).status, 403);
});

test('policies with a step that notifies nobody, an unknown user or a bad channel are refused', async () => {
  const cases: [object, RegExp][] = [
    [{ steps: [{ wait_minutes: 5 }] }, /steps\[0\] notifies nobody/],
    [{ steps: [{ notify_user: 'ghost', wait_minutes: 5 }] }, /no user named "ghost"/],
    [{ steps: [{ channels: ['email:not-an-address'], wait_minutes: 5 }] }, /neither a channel name/],
    [{ steps: [] }, /steps/],
    [{ steps: [{ channels: ['x'], wait_minutes: 0 }] }, /wait_minutes/],
  ];
  for (const [body, message] of cases) {
    const res = await call('admin', 'PUT', '/api/v1/escalation-policies/bad', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.body.error.message, message);
  }
});

test('an unacknowledged incident escalates step by step on time, repeats, then stops', async () => {
  const inc = await openIncident('primary down', 'db-oncall');
  assert.deepEqual(sent(inc.id), [aliceTarget], 'step 1 is paged at once');
  clock.advance(minutes(5) - 1000);
  await escalate();
  assert.equal(sent(inc.id).length, 1, 'not before the wait is over');
  clock.advance(1000);
  await escalate();
  assert.deepEqual(sent(inc.id).slice(1), ['ops-slack', 'email:oncall-lead@example.com']);
  clock.advance(minutes(10));
  await escalate();
  assert.deepEqual(sent(inc.id).slice(3), [aliceTarget], 'repeat: step 1 again');
  clock.advance(minutes(5));
  await escalate();
  clock.advance(minutes(10));
  await escalate();
  clock.advance(minutes(60));
  await escalate();
  assert.equal(sent(inc.id).length, 6, 'two rounds of two steps, then nothing');
  const tl = await call('devops', 'GET', `/api/v1/incidents/${inc.id}/timeline`);
  const escalations = tl.body.filter((l: { action: string }) => l.action === 'escalated');
  assert.equal(escalations.length, 4);
  assert.equal(escalations.at(-1).details.exhausted, true);
  const row = await call('devops', 'GET', `/api/v1/incidents/${inc.id}`);
  assert.equal(row.body.next_escalation_at, null);
  const n = notes.find((x) => x.incidentId === inc.id);
  assert.equal(n?.source, 'incident');
  assert.match(n?.title ?? '', /^\[CRITICAL\] Incident #\d+: primary down$/);
  assert.match(n?.text ?? '', /\/api\/v1\/incidents\/\d+\/acknowledge/);
  assert.equal(new Set(notes.map((x) => x.dedupKey)).size, notes.length, 'every page has its own dedup key');
});

test('acknowledging stops the escalation; a policy with stop_on_ack=false keeps going', async () => {
  const inc = await openIncident('replica lag', 'db-oncall');
  await call('devops', 'POST', `/api/v1/incidents/${inc.id}/acknowledge`);
  clock.advance(minutes(30));
  await escalate();
  assert.equal(sent(inc.id).length, 1);
  await call('admin', 'PUT', '/api/v1/escalation-policies/until-fixed', {
    steps: [{ channels: ['ops-slack'], wait_minutes: 15 }],
    stop_on_ack: false,
    repeat_count: 3,
  });
  const loud = await openIncident('checkout broken', 'until-fixed');
  await call('devops', 'POST', `/api/v1/incidents/${loud.id}/acknowledge`);
  clock.advance(minutes(15));
  await escalate();
  assert.equal(sent(loud.id).length, 2, 'acknowledged but still paging');
  await call('devops', 'POST', `/api/v1/incidents/${loud.id}/resolve`);
  clock.advance(minutes(15));
  await escalate();
  assert.equal(sent(loud.id).length, 2, 'resolving stops it');
});

test('a user without an e-mail address is logged as not notified instead of silently skipped', async () => {
  await call('admin', 'PUT', '/api/v1/escalation-policies/bob-first', {
    steps: [{ notify_user: 'bob', channels: ['ops-slack'], wait_minutes: 5 }],
  });
  const inc = await openIncident('bob pages', 'bob-first');
  assert.deepEqual(sent(inc.id), ['ops-slack']);
  const tl = await call('devops', 'GET', `/api/v1/incidents/${inc.id}/timeline`);
  const miss = tl.body.find((l: { details: { delivered?: boolean } }) => l.details.delivered === false);
  assert.equal(miss.details.reason, 'user has no e-mail address');
});

test('the default policy applies when none is named; reopening starts the escalation over', async () => {
  await call('admin', 'PUT', '/api/v1/escalation-policies/db-oncall', { ...primary, default: true });
  const res = await call('devops', 'POST', '/api/v1/incidents', {
    title: 'default policy',
    severity: 'warning',
  });
  await escalate();
  const id = res.body.id as number;
  assert.equal(sent(id).length, 1);
  await call('devops', 'POST', `/api/v1/incidents/${id}/resolve`);
  await call('devops', 'POST', `/api/v1/incidents/${id}/reopen`);
  await escalate();
  assert.deepEqual(sent(id), [aliceTarget, aliceTarget]);
  const none = await openIncident('no paging', null);
  assert.deepEqual(sent(none.id), []);
});

test('the timeline names the paged user but never stores their e-mail address', async () => {
  const inc = await openIncident('pii check', 'db-oncall');
  const { rows } = await app.db.pool.query(
    `SELECT details FROM vigil.incident_response_logs WHERE incident_id = $1 AND action = 'notified'`,
    [inc.id],
  );
  assert.equal(rows.length, 1);
  assert.deepEqual(
    { username: rows[0].details.username, via: rows[0].details.via },
    { username: 'alice', via: 'email' },
  );
  assert.ok(!JSON.stringify(rows).includes('alice@example.com'));
});

test('a restart in the middle of an escalation: the new process escalates on time, exactly once', async () => {
  const inc = await openIncident('restart me', 'db-oncall');
  assert.equal(sent(inc.id).length, 1);
  await app.vigil.close(); // the first Vigil goes away between step 1 and step 2

  const clock2 = new ManualClock(clock.now());
  const start = () =>
    startVigil({
      config: testConfig(app.db.url),
      logger: createLogger('silent'),
      clock: clock2,
      listen: false,
    });
  const [b, c] = [await start(), await start()];
  try {
    const seen: string[] = [];
    for (const v of [b, c])
      v.ctx.events.on('notification.requested', (n) => {
        if (n.incidentId === inc.id) seen.push(n.channel);
      });
    clock2.advance(minutes(4));
    await Promise.all([b.scheduler.runNow(ESCALATION_JOB), c.scheduler.runNow(ESCALATION_JOB)]);
    assert.deepEqual(seen, [], 'not due yet after the restart');
    clock2.advance(minutes(1));
    // Two processes run the job at the same moment, twice: the step is taken once.
    await Promise.all([b.scheduler.runNow(ESCALATION_JOB), c.scheduler.runNow(ESCALATION_JOB)]);
    await Promise.all([b.scheduler.runNow(ESCALATION_JOB), c.scheduler.runNow(ESCALATION_JOB)]);
    const actions = await logActions(app, inc.id);
    assert.deepEqual(seen.sort(), ['email:oncall-lead@example.com', 'ops-slack']);
    assert.deepEqual(actions, ['created', 'notified', 'escalated', 'notified', 'notified']);
  } finally {
    await b.close();
    await c.close();
  }
});
