import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { refreshDaily, refreshHourly } from '../../src/rollups/index.ts';
import { testApp } from '../helpers/app.ts';
import { insertSamples, makeServers, type Sample } from './fixtures.ts';

const day = new Date('2026-02-10T00:00:00Z');
const clock = new ManualClock('2026-02-11T08:00:00Z');
const app = await testApp({ clock });
const pool = app.db.pool;
const get = async (url: string) => app.vigil.app.inject({ method: 'GET', url, headers: app.as('readonly') });

const [full, half, other] = await makeServers(pool, [
  { hostname: 'full', region: 'eu-west' },
  { hostname: 'half', region: 'eu-west' },
  { hostname: 'other', region: 'us-east' },
]);
const samples: Sample[] = [];
for (let i = 0; i < 288; i++) {
  const ts = new Date(day.getTime() + i * 300_000);
  samples.push({ serverId: full as number, ts, cpu: i % 100, mem: 50 });
  if (i < 144) samples.push({ serverId: half as number, ts, cpu: 50, mem: 90 }); // down the 2nd half
  samples.push({ serverId: other as number, ts, cpu: 10, mem: 10 });
}
await insertSamples(pool, samples);
await refreshHourly(pool, { now: clock.now() });
await refreshDaily(pool, { now: clock.now() });
const { rows: rule } = await pool.query(
  `INSERT INTO vigil.alerts_configuration (name, metric, operator, threshold, severity) VALUES ('cpu high', 'cpu_usage', '>', 90, 'critical') RETURNING id`,
);
await pool.query(
  `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, fired_at, resolved_at)
   VALUES ($1, $2, 'resolved', 'critical', '2026-02-10T03:00Z', '2026-02-10T03:05Z', '2026-02-10T04:00Z'),
          ($1, $2, 'resolved', 'critical', '2026-02-10T06:00Z', '2026-02-10T06:05Z', '2026-02-10T07:00Z'),
          ($1, $3, 'resolved', 'critical', '2026-02-09T06:00Z', '2026-02-09T06:05Z', '2026-02-09T07:00Z')`,
  [rule[0].id, half, full],
);
await pool.query(
  `INSERT INTO vigil.incidents (title, severity, region, status, created_at, acknowledged_at, resolved_at)
   VALUES ('a', 'critical', 'eu-west', 'resolved', '2026-02-10T03:00Z', '2026-02-10T03:10Z', '2026-02-10T04:00Z'),
          ('b', 'warning', 'eu-west', 'resolved', '2026-02-10T05:00Z', '2026-02-10T05:20Z', '2026-02-10T07:00Z')`,
);

test('the daily report has availability, exact p95, alert counts and MTTA/MTTR', async () => {
  const res = await get('/api/v1/reports/daily?region=eu-west');
  assert.equal(res.statusCode, 200, res.body);
  const r = res.json();
  assert.equal(r.from, '2026-02-10T00:00:00.000Z', 'default: yesterday (UTC)');
  assert.equal(r.servers.length, 2, 'only eu-west');
  const byName = Object.fromEntries(r.servers.map((s: { hostname: string }) => [s.hostname, s]));
  assert.equal(byName.full.availability, 1);
  assert.equal(byName.half.availability, 0.5);
  const { rows } = await pool.query(
    `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage) AS p FROM vigil.server_metrics WHERE server_id = $1`,
    [full],
  );
  assert.ok(Math.abs(byName.full.cpu_usage_p95 - rows[0].p) < 1e-6);
  assert.equal(byName.half.alerts, 2);
  assert.equal(byName.full.alerts, 0, 'the alert of the day before is not counted');
  assert.deepEqual(r.summary.alerts, { critical: 2, warning: 0, info: 0 });
  assert.equal(r.summary.incidents, 2);
  assert.equal(r.summary.mtta_seconds, 15 * 60);
  assert.equal(r.summary.mttr_seconds, 90 * 60);
  assert.equal(r.top.availability[0].hostname, 'half');
  assert.equal(r.top.cpu_p95[0].hostname, 'full');
});

test('CSV has one row per server and HTML is self-contained with SVG charts', async () => {
  const csv = await get('/api/v1/reports/daily?format=csv');
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers['content-type'] as string, /text\/csv/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0] as string, /^hostname,region,samples,availability/);
  const html = await get('/api/v1/reports/daily?format=html');
  assert.equal(html.statusCode, 200);
  assert.match(html.body, /<svg/);
  assert.match(html.body, /cpu high/);
  assert.doesNotMatch(html.body, /<script|https?:\/\/(?!www\.w3)/);
});

test('weekly covers 7 days and bad kinds, formats and dates are 400', async () => {
  const w = await get('/api/v1/reports/weekly?date=2026-02-04&format=json');
  assert.equal(w.statusCode, 200);
  assert.equal(w.json().to, '2026-02-11T00:00:00.000Z');
  assert.equal(w.json().summary.alerts.critical, 3);
  for (const [url, field] of [
    ['/api/v1/reports/monthly', 'kind'],
    ['/api/v1/reports/daily?format=pdf', 'format'],
    ['/api/v1/reports/daily?date=10/02/2026', 'date'],
    ['/api/v1/reports/weekly?date=2026-02-09', 'date'],
  ]) {
    const res = await get(url as string);
    assert.equal(res.statusCode, 400, url);
    assert.equal(res.json().error.details.field, field, url);
  }
});

const cli = (args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      env: { ...process.env, DATABASE_URL: app.db.url, VIGIL_CONFIG: '/dev/null', VIGIL_LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => done({ code: code ?? 1, out, err }));
  });

test('vigil report and vigil explain work from the CLI', async () => {
  const csv = await cli([
    'report',
    'daily',
    '--date',
    '2026-02-10',
    '--format',
    'csv',
    '--region',
    'us-east',
  ]);
  assert.equal(csv.code, 0, csv.err);
  assert.match(csv.out, /^hostname,region/);
  assert.match(csv.out, /\r\nother,us-east,288,1,/);
  const bad = await cli(['report', 'daily', '--format', 'pdf']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /format: must be one of json, csv, html/);
  const plan = await cli(['explain', 'top_talkers_24h']);
  assert.equal(plan.code, 0, plan.err);
  assert.match(plan.out, /Buffers|Execution Time/);
  const unknown = await cli(['explain', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown query "nope"; known: fleet_overview/);
});

test('the query endpoints are described in /openapi.json', async () => {
  const res = await app.vigil.app.inject({ method: 'GET', url: '/openapi.json' });
  const paths = Object.keys(res.json().paths);
  for (const p of [
    '/api/v1/servers',
    '/api/v1/servers/{id}/series',
    '/api/v1/fleet/overview',
    '/api/v1/fleet/regions',
    '/api/v1/fleet/top',
    '/api/v1/logs',
    '/api/v1/reports/{kind}',
  ])
    assert.ok(paths.includes(p), p);
});
