import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import { addServers, receiver, setup, writeCpu } from './fixtures.ts';

const t = await setup();
const { pool, clock, rt, inject } = t;
const admin = t.app.as('admin');
await addServers(pool, ['api-web-1'], { region: 'eu', labels: { role: 'web' } });

const post = (url: string, payload: unknown, role: 'admin' | 'devops' | 'readonly' = 'admin') =>
  inject({ method: 'POST', url, headers: t.app.as(role), payload: payload as Record<string, unknown> });

test('bad rules are refused with every reason named', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: 'r1', metric: 'cpu_usge', operator: '>', threshold: 1 }, /unknown metric "cpu_usge".*cpu_usage, memory_usage/],
    [{ name: 'r2', metric: 'cpu_usage', operator: '>', threshold: 1, for: '5 minutes' }, /for must be a duration such as 30s/],
    [{ name: 'r3', metric: 'cpu_usage', operator: '>', threshold: 'ninety' }, /threshold must be number/],
    [{ name: 'r4', metric: 'cpu_usage', operator: '>', threshold: 90, clear_threshold: 95 }, /clear_threshold must be on the healthy side/],
    [{ name: 'r5', metric: 'cpu_usage', operator: '>', threshold: 90, scope: { region: 'mars' } }, /scope matches no server \(region "mars"; regions with servers: .*eu/],
    [{ name: 'r6', metric: 'cpu_usage', operator: '>', threshold: 90, channels: ['pager'] }, /no channel named "pager"/],
    [{ name: 'r7', source: 'series', metric: 'nope_total', operator: '>', threshold: 1 }, /no metric series named "nope_total"/],
    [{ name: 'r8', metric: 'cpu_usage', operator: '>', threshold: 90, window: '2s', severity: 'page' }, /window must be from 10s.*severity must be one of critical, warning, info/],
    [{ name: 'r9', metric: 'cpu_usage', operator: '>', threshold: 90, scope: { server: 'ghost' } }, /no server with hostname "ghost"/],
  ]; // prettier-ignore
  for (const [body, message] of cases) {
    const res = await post('/api/v1/alerts/rules', body);
    assert.equal(res.statusCode, 400, `${body.name}: ${res.body}`);
    assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    assert.match(res.json().error.message, message, String(body.name));
  }
  const forced = await post('/api/v1/alerts/rules?allow_empty=true', cases[4]![0]);
  assert.equal(forced.statusCode, 201, 'an empty scope is accepted when asked for');
});

test('only admin writes rules: PostgreSQL refuses devops with 403', async () => {
  const body = { name: 'devops_rule', metric: 'memory_usage', operator: '>', threshold: 95 };
  const res = await post('/api/v1/alerts/rules', body, 'devops');
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.details.sqlstate, '42501');
  const ok = await post('/api/v1/alerts/rules', body);
  assert.equal(ok.statusCode, 201);
  assert.equal(ok.json().window, '5m', 'defaults shown as durations');
  const dup = await post('/api/v1/alerts/rules', body);
  assert.equal(dup.statusCode, 409);
  const list = await inject({ method: 'GET', url: '/api/v1/alerts/rules', headers: t.app.as('readonly') });
  assert.ok(
    list.json().some((r: { name: string }) => r.name === 'high_cpu'),
    'the seeded rule is listed',
  );
});

test('YAML export and apply round-trip; apply creates, updates and prunes by name', async () => {
  const exported = await inject({ method: 'GET', url: '/api/v1/alerts/rules.yaml', headers: admin });
  assert.equal(exported.statusCode, 200);
  assert.match(exported.body, /name: high_cpu/);
  const same = await post('/api/v1/alerts/rules/apply?allow_empty=true', { yaml: exported.body });
  assert.equal(same.statusCode, 200, same.body);
  assert.deepEqual(same.json().created, []);
  assert.deepEqual(same.json().updated, []);
  const yaml = `rules:
  - name: high_cpu
    metric: cpu_usage
    window: 2m
    operator: ">"
    threshold: 95
    clear_threshold: 85
    for: 10m
    severity: critical
  - name: disk_full
    metric: disk_usage
    aggregation: max
    operator: ">="
    threshold: 90
    scope: { region: eu, labels: { role: web } }
    runbook_url: https://runbooks.example.com/disk
`;
  const bad = await post('/api/v1/alerts/rules/apply', {
    yaml: yaml.replace('threshold: 95', 'threshold: lots'),
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /rules\[0\]\.threshold must be a number/);
  const dry = await post('/api/v1/alerts/rules/apply', { yaml, prune: true, dry_run: true });
  assert.deepEqual(dry.json().created, ['disk_full']);
  const applied = await post('/api/v1/alerts/rules/apply', { yaml, prune: true });
  assert.equal(applied.statusCode, 200, applied.body);
  assert.deepEqual(applied.json().updated, ['high_cpu']);
  assert.deepEqual(applied.json().created, ['disk_full']);
  assert.ok(applied.json().deleted.includes('devops_rule'));
  const { rows } = await pool.query(`SELECT threshold, for_seconds, window_seconds FROM vigil.alerts_configuration WHERE name = 'high_cpu'`); // prettier-ignore
  assert.deepEqual(rows[0], { threshold: 95, for_seconds: 600, window_seconds: 120 });
});

test('channel secrets are encrypted at rest and never returned; readonly cannot test or read them', async () => {
  const hook = await receiver();
  const res = await post('/api/v1/alerts/channels', { name: 'secret-hook', kind: 'webhook', url: `${hook.url}?token=s3cr3t-token`, hmac_secret: 'hmac-secret-of-some-length', headers: { authorization: 'Bearer xyz-token' } }); // prettier-ignore
  assert.equal(res.statusCode, 201, res.body);
  assert.ok(
    !res.body.includes('s3cr3t') && !res.body.includes('hmac-secret') && !res.body.includes('xyz-token'),
  );
  assert.deepEqual(res.json().settings, { target: hook.url, signed: true, header_names: ['authorization'] });
  const { rows } = await pool.query(`SELECT secret_encrypted::text AS raw FROM vigil.notification_channels WHERE name = 'secret-hook'`); // prettier-ignore
  assert.ok(!rows[0].raw.includes('s3cr3t'), 'ciphertext only');
  const list = await inject({ method: 'GET', url: '/api/v1/alerts/channels', headers: t.app.as('readonly') });
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes('s3cr3t'));
  const roTest = await post('/api/v1/alerts/channels/secret-hook/test', {}, 'readonly');
  assert.equal(roTest.statusCode, 403);
  const devopsCreate = await post(
    '/api/v1/alerts/channels',
    { name: 'x', kind: 'slack', url: hook.url },
    'devops',
  );
  assert.equal(devopsCreate.statusCode, 403);
  const tested = await post('/api/v1/alerts/channels/secret-hook/test', {});
  assert.deepEqual({ ...(tested.json() as object), ms: 0 }, { delivered: true, ms: 0 });
  assert.equal(hook.received.length, 1);
  assert.equal(hook.received[0]!.headers.authorization, 'Bearer xyz-token');
  const badUrl = await post('/api/v1/alerts/channels', { name: 'bad', kind: 'webhook', url: 'ftp://x' });
  assert.match(badUrl.json().error.message, /url must be an http\(s\) URL/);
  const closed = await new Promise<number>((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => done(port));
    });
  });
  const down = await post('/api/v1/alerts/channels', { name: 'down', kind: 'webhook', url: `http://127.0.0.1:${closed}/x`, verify: true }); // prettier-ignore
  assert.equal(down.statusCode, 400);
  assert.match(down.json().error.message, /failed its test delivery: connection refused/);
});

test('alerts are listed with filters and acknowledged by devops, not by readonly', async () => {
  const [id] = await addServers(pool, ['ack-host'], { region: 'eu' });
  await post('/api/v1/alerts/rules', { name: 'ack_rule', metric: 'cpu_usage', aggregation: 'last', window: '1m', operator: '>', threshold: 50, scope: { server: 'ack-host' } }); // prettier-ignore
  await writeCpu(pool, [id!], 70, clock.now());
  await rt.engine.evaluate([id!]);
  const list = await inject({ method: 'GET', url: '/api/v1/alerts?state=firing&rule=ack_rule', headers: t.app.as('readonly') }); // prettier-ignore
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().length, 1);
  const alert = list.json()[0];
  assert.equal(alert.hostname, 'ack-host');
  const ro = await post(`/api/v1/alerts/${alert.id}/ack`, {}, 'readonly');
  assert.equal(ro.statusCode, 403);
  const ack = await post(`/api/v1/alerts/${alert.id}/ack`, {}, 'devops');
  assert.equal(ack.statusCode, 200, ack.body);
  assert.equal(ack.json().acknowledged_by, 'test-devops');
  const one = await inject({ method: 'GET', url: `/api/v1/alerts/${alert.id}`, headers: admin });
  assert.equal(one.json().state_changes[0].to, 'firing');
  const none = await inject({
    method: 'GET',
    url: '/api/v1/alerts?acknowledged=false&rule=ack_rule',
    headers: admin,
  });
  assert.equal(none.json().length, 0);
});
