// `vigil detect` through commander, as the CLI mounts it (no subprocess needed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseTimestamp, registerDetect } from '../../src/cli/commands/detect.ts';
import { noise } from './synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-detect-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function detect(args: string[]): Promise<{ code: number; stderr: string[] }> {
  const stderr: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => stderr.push(a.join(' '));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    const program = new Command('vigil').exitOverride();
    registerDetect(program);
    await program.parseAsync(['detect', ...args], { from: 'user' });
    return { code: Number(process.exitCode ?? 0), stderr };
  } finally {
    console.error = original;
    process.exitCode = before;
  }
}

function nabCsv(n: number): string {
  const s = noise(n, 9);
  s.values[n - 100] = 200;
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    rows.push(`${new Date(s.ts[i]!).toISOString().slice(0, 19).replace('T', ' ')},${s.values[i]}`);
  }
  return rows.join('\n') + '\n';
}

test('same rows, same order, score in 0..1, alarm 0/1, and the planted spike alarms', async () => {
  const input = join(dir, 'in.csv');
  const output = join(dir, 'out.csv');
  const text = nabCsv(1500);
  writeFileSync(input, text);
  const r = await detect(['--input', input, '--output', output]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const inRows = text.trimEnd().split('\n');
  const outRows = readFileSync(output, 'utf8').trimEnd().split('\n');
  assert.equal(outRows[0], 'timestamp,value,anomaly_score,alarm');
  assert.equal(outRows.length, inRows.length);
  for (let i = 1; i < inRows.length; i++) {
    const [ts, value, score, alarm] = outRows[i]!.split(',');
    assert.equal(`${ts},${value}`, inRows[i]);
    assert.ok(Number(score) >= 0 && Number(score) <= 1);
    assert.ok(alarm === '0' || alarm === '1');
    // The score is the shipped decision: at or above 0.5 exactly where it alarms.
    assert.equal(Number(score) >= 0.5, alarm === '1', outRows[i]);
  }
  assert.equal(outRows[1500 - 100 + 1]!.split(',')[3], '1');
});

test('--detector picks a single detector; an unknown one is refused', async () => {
  const input = join(dir, 'in2.csv');
  writeFileSync(input, nabCsv(400));
  const ok = await detect(['--input', input, '--output', join(dir, 'o2.csv'), '--detector', 'ewma']);
  assert.equal(ok.code, 0);
  const bad = await detect(['--input', input, '--output', join(dir, 'o3.csv'), '--detector', 'magic']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.join('\n'), /unknown detector "magic"/);
});

const bad: [string, string, RegExp][] = [
  ['missing file', '', /no such file/],
  ['bad header', 'time,val\n2014-01-01 00:00:00,1\n', /line 1: expected header "timestamp,value"/],
  [
    'non-numeric value',
    'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,abc\n',
    /line 3: value "abc"/,
  ],
  [
    'unparseable timestamp',
    'timestamp,value\n2014-01-01 00:00:00,1\nyesterday,2\n',
    /line 3: unparseable timestamp "yesterday"/,
  ],
  ['impossible date', 'timestamp,value\n2014-02-30 00:00:00,1\n', /line 2: unparseable timestamp/],
];
for (const [name, content, message] of bad) {
  test(`${name}: exit code 2 and one line naming the row`, async () => {
    const input = join(dir, `${name.replace(/ /g, '-')}.csv`);
    if (content) writeFileSync(input, content);
    const r = await detect(['--input', input, '--output', join(dir, 'never.csv')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.length, 1);
    assert.match(r.stderr[0]!, message);
  });
}

test('timestamps: NAB naive UTC, fractional seconds and ISO offsets', () => {
  assert.equal(parseTimestamp('2014-04-01 00:05:00'), Date.UTC(2014, 3, 1, 0, 5));
  assert.equal(parseTimestamp('2014-04-01 00:05:00.000000'), Date.UTC(2014, 3, 1, 0, 5));
  assert.equal(parseTimestamp('2014-04-01T02:05:00+02:00'), Date.UTC(2014, 3, 1, 0, 5));
  assert.ok(Number.isNaN(parseTimestamp('2014-04-01 24:00:00')));
});
