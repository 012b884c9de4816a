// `vigil start` end to end against a fresh database: prints the first admin's token once and
// writes it to data_dir/admin-token (mode 600), serves /healthz over a real socket, stops
// cleanly on SIGTERM; then `vigil status` and `vigil migrate` on the same database.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TOKEN_PATTERN } from '../../src/auth/tokens.ts';
import { lines, runVigil, spawnVigil } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
const env = { DATABASE_URL: db.url, VIGIL_DATA_DIR: dataDir };

test('vigil start: first admin, /healthz over HTTP, clean stop on SIGTERM', async () => {
  const child = spawnVigil(['start', '--port', '0', '--no-agent'], env);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('close', done));
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no "running" line in 60 s: ${stdout} ${stderr}`)),
        60_000,
      );
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
        const m = /Vigil is running at (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done(m[1] as string);
        }
      });
      void exited.then((code) => fail(new Error(`exited ${code}: ${stderr}`)));
    });
    const token = /^\s+(vgl_\S+)$/m.exec(stdout)?.[1] ?? '';
    assert.match(token, TOKEN_PATTERN, 'the first admin token is printed');
    const file = join(dataDir, 'admin-token');
    assert.equal(readFileSync(file, 'utf8'), `${token}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', database: 'up', schema: 'current' });
    const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await me.json()) as { username: string; role: string };
    assert.deepEqual([body.username, body.role], ['admin', 'admin']);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});

test('vigil status: database, schema, partitions ahead and row counts', async () => {
  const r = await runVigil(['status', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const status = JSON.parse(r.stdout);
  assert.doesNotMatch(r.stdout, new RegExp(new URL(db.url).password || 'no-password-in-url'));
  assert.deepEqual(status.schema.pending, []);
  assert.ok(status.schema.applied.length >= 10);
  assert.deepEqual(
    status.partitions.map((p: { table: string; days_ahead: number }) => [p.table, p.days_ahead]),
    [
      ['error_logs', 7],
      ['metric_samples', 7],
      ['server_metrics', 7],
    ],
  );
  const tables = status.counts.map((c: { table: string }) => c.table);
  for (const t of ['servers', 'server_metrics', 'users', 'api_tokens', 'alerts_history'])
    assert.ok(tables.includes(t), t);
  const text = await runVigil(['status'], env);
  assert.match(text.stdout, /^schema: +\d+ migrations applied, 0 pending$/m);
});

test('vigil migrate on a current database says so and changes nothing', async () => {
  const r = await runVigil(['migrate'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['schema is current: nothing to apply']);
});
