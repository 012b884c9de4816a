import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ManualClock } from '../../src/core/clock.ts';
import { testApp } from '../helpers/app.ts';
import { api, minutes } from './fixtures.ts';

const clock = new ManualClock('2026-03-02T10:00:00Z'); // a Monday
const app = await testApp({ clock });
const call = api(app);

async function incident(body: object, ackAfter: number | null, resolveAfter: number | null) {
  const start = clock.now().getTime();
  const res = await call('devops', 'POST', '/api/v1/incidents', body);
  assert.equal(res.status, 201);
  const id = res.body.id as number;
  if (ackAfter !== null) {
    clock.set(start + ackAfter);
    await call('devops', 'POST', `/api/v1/incidents/${id}/acknowledge`);
  }
  if (resolveAfter !== null) {
    clock.set(start + resolveAfter);
    await call('devops', 'POST', `/api/v1/incidents/${id}/resolve`);
  }
  clock.set(start + minutes(60));
  return id;
}

test('a postmortem is refused until the incident is resolved, then written, replaced and exported', async () => {
  const id = await incident({ title: 'payments down', severity: 'critical', region: 'eu-west' }, null, null);
  const early = await call('devops', 'PUT', `/api/v1/incidents/${id}/postmortem`, { summary: 'x' });
  assert.equal(early.status, 409);
  assert.match(early.body.error.message, /once incident \d+ is resolved; it is triggered/);
  await call('devops', 'POST', `/api/v1/incidents/${id}/acknowledge`);
  await call('devops', 'POST', `/api/v1/incidents/${id}/notes`, { text: 'rolled back deploy 41' });
  await call('devops', 'POST', `/api/v1/incidents/${id}/resolve`, { note: 'rollback done' });
  const body = {
    summary: 'Deploy 42 broke card payments for 20 minutes.',
    impact: '3% of checkouts failed.',
    root_cause: 'A config key was renamed.',
    action_items: [{ title: 'Validate config keys in CI', owner: 'alice', due: '2026-03-20' }],
  };
  const written = await call('devops', 'PUT', `/api/v1/incidents/${id}/postmortem`, body);
  assert.equal(written.status, 201, JSON.stringify(written.body));
  const replaced = await call('admin', 'PUT', `/api/v1/incidents/${id}/postmortem`, {
    ...body,
    action_items: [...body.action_items, { title: 'Alert on checkout errors', done: true }],
  });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.body.action_items.length, 2);
  const md = await call('devops', 'GET', `/api/v1/incidents/${id}/postmortem.md`);
  assert.equal(md.status, 200);
  assert.match(String(md.raw.headers['content-type']), /^text\/markdown/);
  const text = md.body as string;
  assert.match(text, /^# Postmortem: incident #\d+ — payments down$/m);
  assert.match(text, /## Impact\n\n3% of checkouts failed\./);
  assert.match(text, /## Root cause\n\nA config key was renamed\./);
  assert.match(text, /- 2026-03-02T11:00:00Z — note by test-devops: rolled back deploy 41/);
  assert.match(text, /resolved by test-devops: rollback done/);
  assert.match(text, /postmortem written by test-devops/);
  assert.match(text, /- \[ \] Validate config keys in CI — alice \(due 2026-03-20\)/);
  assert.match(text, /- \[x\] Alert on checkout errors/);
  const ro = await call('readonly', 'GET', `/api/v1/incidents/${id}/postmortem.md`);
  assert.equal(ro.status, 403, 'the export carries the timeline, which readonly may not read');
});

test('the report gives MTTA, MTTR and counts per severity, region and week', async () => {
  clock.set('2026-03-09T09:00:00Z'); // the next Monday: a fresh week for this test
  await incident({ title: 'a', severity: 'critical', region: 'eu-west' }, minutes(2), minutes(30));
  await incident({ title: 'b', severity: 'critical', region: 'us-east' }, minutes(4), minutes(90));
  await incident({ title: 'c', severity: 'warning', region: 'eu-west' }, null, null);
  const res = await call(
    'readonly',
    'GET',
    '/api/v1/reports/incidents?from=2026-03-09T00:00:00Z&to=2026-03-16T00:00:00Z',
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const r = res.body;
  assert.deepEqual(
    { ...r.total },
    {
      incidents: 3,
      acknowledged: 2,
      resolved: 2,
      open: 1,
      mtta_seconds: 180,
      mtta_p50_seconds: 180,
      mttr_seconds: 3600,
      mttr_p50_seconds: 3600,
    },
  );
  const critical = r.by_severity.find((b: { severity: string }) => b.severity === 'critical');
  assert.equal(critical.incidents, 2);
  assert.equal(r.by_severity.find((b: { severity: string }) => b.severity === 'warning').open, 1);
  assert.deepEqual(
    r.by_region.map((b: { region: string; incidents: number }) => [b.region, b.incidents]),
    [
      ['eu-west', 2],
      ['us-east', 1],
    ],
  );
  assert.deepEqual(
    r.by_week.map((b: { week: string; incidents: number }) => [b.week, b.incidents]),
    [['2026-03-09', 3]],
  );
  const bad = await call(
    'devops',
    'GET',
    '/api/v1/reports/incidents?from=2026-03-10T00:00:00Z&to=2026-03-09T00:00:00Z',
  );
  assert.equal(bad.status, 400);
});

test('`vigil report incidents --json` prints the same report', async () => {
  const root = join(import.meta.dirname, '..', '..');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/index.ts',
      'report',
      'incidents',
      '--from',
      '2026-03-09T00:00:00Z',
      '--to',
      '2026-03-16T00:00:00Z',
      '--json',
    ],
    { cwd: root, env: { ...process.env, DATABASE_URL: app.db.url, VIGIL_CONFIG: '/dev/null' } },
  );
  const report = JSON.parse(stdout);
  assert.equal(report.total.incidents, 3);
  assert.equal(report.total.mttr_seconds, 3600);
  const text = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'report', 'incidents', '--days', '0'],
    { cwd: root, env: { ...process.env, DATABASE_URL: app.db.url, VIGIL_CONFIG: '/dev/null' } },
  ).catch((e: { code: number; stderr: string }) => e);
  assert.equal((text as { code: number }).code, 2);
  assert.match((text as { stderr: string }).stderr, /--days must be an integer from 1 to 3660/);
});
