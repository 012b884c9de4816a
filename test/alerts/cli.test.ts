import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase();
const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-alerts-'));
const vigil = async (...args: string[]) => {
  try {
    const r = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'alerts', ...args],
      {
        env: { ...process.env, DATABASE_URL: db.url, VIGIL_DATA_DIR: dir, VIGIL_CONFIG: '/dev/null' },
      },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

test('vigil alerts rules export / apply round-trips YAML and reports bad files in one line', async () => {
  const exported = await vigil('rules', 'export');
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /- name: high_cpu\n\s+description: .*\n\s+metric: cpu_usage/);
  const file = join(dir, 'rules.yaml');
  writeFileSync(
    file,
    `${exported.stdout}  - name: mem\n    metric: memory_usage\n    operator: ">"\n    threshold: 95\n`,
  );
  const applied = await vigil('rules', 'apply', file);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /created: mem/);
  assert.match(applied.stdout, /unchanged: high_cpu/);
  writeFileSync(file, 'rules:\n  - name: bad\n    metric: cpu\n    operator: ">"\n    threshold: 1\n');
  const bad = await vigil('rules', 'apply', file);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /vigil: invalid rule "bad": rules\[0\]\.metric unknown metric "cpu"/);
});

test('vigil alerts silence add / list / expire', async () => {
  const added = await vigil('silence', 'add', '-m', 'alertname="high_cpu"', '-d', '2h', '-c', 'upgrade');
  assert.equal(added.code, 0, added.stderr);
  const id = /silence (\d+)/.exec(added.stdout)?.[1];
  assert.ok(id);
  assert.match((await vigil('silence', 'list')).stdout, /alertname="high_cpu"/);
  assert.equal((await vigil('silence', 'expire', id)).code, 0);
  assert.doesNotMatch((await vigil('silence', 'list')).stdout, /high_cpu/);
});
