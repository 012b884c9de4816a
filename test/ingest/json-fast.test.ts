// The JSON metrics fast path against the JSON.parse path: for generated, mutated and hostile
// bodies the scanner either declines (null) or gives exactly the slow path's rows, total and
// errors, bit for bit (-0 included). A scanner that always declined would pass that, so the test
// also requires it to take the canonical bodies it is there for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitsAt } from '../../src/ingest/index.ts';
import { scanJsonMetrics } from '../../src/ingest/parsers/json-fast.ts';
import { parseJsonMetricsSlow } from '../../src/ingest/parsers/json.ts';
import { type ParseResult, metricRowsOf } from '../../src/ingest/types.ts';
import { deepJson, mutate, prng, randomBytes, type R } from './fuzz-helpers.ts';
import { makeRows, toBodies } from '../../bench/_ingest-data.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW, { maxRows: 200 });

let refusedRowsSeen = 0;

/** Compares and reports whether the fast path took the body. */
function same(body: Uint8Array, label: string): boolean {
  let fast: ParseResult | null;
  try {
    fast = scanJsonMetrics(body, limits);
  } catch (e) {
    assert.fail(`${label}: fast path threw ${(e as Error).stack}`);
  }
  if (fast === null) return false;
  const slow = parseJsonMetricsSlow(body, limits);
  // The scanner keeps accepted rows as columns; as rows they must be the slow path's.
  assert.equal(fast.metrics.length, 0, `${label}: rows as objects and as columns`);
  const { columns: _, ...rest } = fast;
  // deepStrictEqual compares numbers with Object.is, so 0 and -0 differ here.
  assert.deepStrictEqual(
    { ...rest, metrics: metricRowsOf(fast) },
    slow,
    `${label}: ${Buffer.from(body).toString('latin1').slice(0, 300)}`,
  );
  refusedRowsSeen += fast.errors.length;
  return true;
}

const NUMBERS = [
  '0', '-0', '1', '12.5', '99.99', '100', '100.0000000000000001', '1e2', '1E2', '1e+2', '1e-2', '-1',
  '0.1', '0.30000000000000004', '123456789012345', '1234567890123456', '9007199254740993',
  '99999999999999999999', '1e309', '-1e309', '1e-400', '5e-324', '0.000001', '999999.99999',
  '1000000', '100.5', '101', '-0.0001', '999999.5', '9007199254740991', '9007199254740992', '2.5',
  '3.14159265358979323846', '10000000', '4294967296', '0.5', '.5', '01', '1.', '+1',
  '-', '1e', 'NaN', 'Infinity', '-Infinity', '0x10', 'true', '"5"', 'null', '{}', '[]', '1.5e3',
]; // prettier-ignore
const HOSTS = [
  'web-1',
  'db.eu',
  'h',
  '',
  'bad host',
  '-x',
  'x'.repeat(254),
  'caf\u00e9',
  'a\\u0041',
  'A_b-c.d',
];
const COLUMNS = [
  'cpu_usage', 'memory_usage', 'disk_usage', 'network_in_bytes', 'network_out_bytes', 'load_1', 'load_5', 'load_15',
]; // prettier-ignore
const WS = ['', ' ', '\n', '\t', '\r\n', '  '];

function tsToken(r: R): string {
  const ms = NOW - r.int(8 * 86_400_000) + 700_000 * (r.next() < 0.1 ? 1 : 0);
  switch (r.int(8)) {
    case 0:
      return JSON.stringify(new Date(ms).toISOString());
    case 1:
      return `"${new Date(ms).toISOString().slice(0, 19)}.123456789+02:00"`;
    case 2:
      return r.pick([
        '"2026-02-31T00:00:00Z"',
        '"yesterday"',
        'null',
        '""',
        '1e309',
        '-0',
        '"2026-03-01 11:00:00z"',
      ]);
    case 3:
      return `${ms}.${r.int(1000)}`;
    default:
      return String(ms);
  }
}

function row(r: R): string {
  const ws = () => (r.next() < 0.2 ? r.pick(WS) : '');
  const fields: string[] = [];
  if (r.next() < 0.97) fields.push(`"hostname":${ws()}"${r.next() < 0.8 ? `h-${r.int(5)}` : r.pick(HOSTS)}"`);
  if (r.next() < 0.97) fields.push(`"ts":${tsToken(r)}`);
  for (const col of COLUMNS) {
    if (r.next() < 0.5) continue;
    const roll = r.next();
    // Two decimals as agents send them, any precision up to 17 digits, or a hostile token.
    const v =
      roll < 0.75
        ? String(Math.round(r.next() * 10000) / 100)
        : roll < 0.95
          ? (r.next() * 100).toFixed(r.int(18))
          : r.pick(NUMBERS);
    fields.push(`${ws()}"${col}"${ws()}:${ws()}${v}${ws()}`);
  }
  if (r.next() < 0.03) fields.push(`"cpu_usage":${r.pick(NUMBERS)}`); // maybe a duplicate
  if (r.next() < 0.02)
    fields.push(r.pick(['"labels":{"a":"b"}', '"cpu":1', '"region":"eu"', '"ts\\u0000":1']));
  for (let i = fields.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [fields[i], fields[j]] = [fields[j] as string, fields[i] as string];
  }
  return `{${fields.join(',')}}`;
}

function body(r: R): string {
  const n = r.next() < 0.02 ? 0 : 1 + r.int(r.next() < 0.05 ? 250 : 12);
  const rows = Array.from({ length: n }, () => row(r));
  return `${r.pick(WS)}[${rows.join(`,${r.next() < 0.2 ? r.pick(WS) : ''}`)}]${r.pick(WS)}`;
}

test('generated canonical bodies: the fast path takes most and agrees on every one', () => {
  const r = prng(7);
  let taken = 0;
  const N = 4000;
  for (let i = 0; i < N; i++) if (same(Buffer.from(body(r)), `generated #${i}`)) taken++;
  assert.ok(taken > N / 4, `fast path took only ${taken} of ${N}`);
  assert.ok(refusedRowsSeen > 1000, `only ${refusedRowsSeen} refused rows compared`);
});

test('mutated, random and hostile bodies: declined or identical', () => {
  const r = prng(11);
  const seeds = Array.from({ length: 50 }, () => Buffer.from(body(r)));
  for (let i = 0; i < 20_000; i++) {
    const b = r.next() < 0.05 ? randomBytes(r) : mutate(r, r.pick(seeds));
    same(b, `mutated #${i}`);
  }
  const hostile = [
    '\uFEFF[{"hostname":"h","ts":1772366395000,"cpu_usage":1}]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":1}]x',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":1},]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":1}',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":1,"cpu_usage":2}]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":-0}]',
    '[{"hostname":"h","ts":1772366395000,"network_in_bytes":-0}]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":1e309}]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":NaN}]',
    '[{"hostname":"h","ts":1772366395000,"load_1":999999.9999999999999}]',
    '[{"hostname":"h","ts":1772366395000}]',
    '[{"hostname":"h","ts":1772366395000,"cpu_usage":null}]',
    '[{"hostname":"h","cpu_usage":1}]',
    '[{"ts":1772366395000,"cpu_usage":1}]',
    '[{"hostname":"h","ts":17723663950000000000,"cpu_usage":1}]',
    `[${'{"hostname":"h","ts":1772366395000,"cpu_usage":1},'.repeat(200)}{"hostname":"h","ts":1772366395000,"cpu_usage":1}]`,
    deepJson(10_000),
    `[${'['.repeat(10_000)}`,
    '[]',
    ' ',
    '',
  ];
  for (const [i, text] of hostile.entries()) same(Buffer.from(text), `hostile #${i}`);
  same(Buffer.from([0x5b, 0x7b, 0x22, 0x68, 0xff, 0x22, 0x7d, 0x5d]), 'invalid UTF-8');
});

test('the bench bodies take the fast path and agree', () => {
  const bodies = toBodies(makeRows(50, 20, NOW), 200);
  for (const [i, b] of bodies.entries()) assert.ok(same(b, `bench body #${i}`), `bench body #${i} declined`);
});
