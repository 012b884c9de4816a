import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanLines } from '../../src/ingest/parsers/line-protocol-scan.ts';
import { CounterState, limitsAt, parseLineProtocol } from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW);
const NS = BigInt(NOW) * 1_000_000n;
const first = (text: string) => {
  const item = scanLines(text)[0];
  assert.ok(item && 'point' in item, item && 'error' in item ? item.error : 'no point');
  return item.point;
};

test('escaping rules of every element', () => {
  const p = first(
    String.raw`my\ meas\,ure=ment,tag\ key\,x\=y=tag\ val\,u\=e,t2=a\\b field\ k\=e\,y="quote \" back \\ slash \n",f2=1i 1700000000000000000`,
  );
  assert.equal(p.measurement, 'my meas,ure=ment');
  assert.deepEqual(p.tags, { 'tag key,x=y': 'tag val,u=e', t2: 'a\\b' });
  assert.deepEqual(p.fields['field k=e,y'], { kind: 'string', value: 'quote " back \\ slash \\n' });
  assert.deepEqual(p.fields.f2, { kind: 'int', value: 1n });
  assert.equal(p.timestamp, 1700000000000000000n);
});

test('field types: float, int, uint, bool, multi-line string', () => {
  const p = first('m a=-1.5e3,b=9223372036854775807i,c=18446744073709551615u,d=T,e=false,f="two\nlines"');
  assert.deepEqual(p.fields.a, { kind: 'float', value: -1500 });
  assert.deepEqual(p.fields.b, { kind: 'int', value: 9223372036854775807n });
  assert.deepEqual(p.fields.c, { kind: 'uint', value: 18446744073709551615n });
  assert.deepEqual(p.fields.d, { kind: 'bool', value: true });
  assert.deepEqual(p.fields.e, { kind: 'bool', value: false });
  assert.deepEqual(p.fields.f, { kind: 'string', value: 'two\nlines' });
  assert.equal(p.timestamp, null);
});

test('bad lines carry a reason and do not stop the good ones', () => {
  const items = scanLines(
    [
      'm v=1',
      'm',
      'm v=',
      'm v=NaN',
      'm v=1 12x',
      'm v=9223372036854775808i',
      'm,t v=1',
      'm v="open',
      'm v=2',
    ].join('\n'),
  );
  const errors = items.filter((i) => 'error' in i);
  const points = items.filter((i) => 'point' in i);
  assert.equal(points.length, 2);
  assert.equal(errors.length, 7);
  for (const e of errors) assert.ok('error' in e && e.error.length > 0);
});

test('Telegraf inputs map onto server_metrics; counters become deltas; the rest become series', () => {
  const state = new CounterState();
  const t0 = NS - 20_000_000_000n;
  const t1 = NS - 10_000_000_000n;
  const body = (t: bigint, rx: number) =>
    [
      `cpu,cpu=cpu-total,host=web-1,region=eu usage_idle=75.5,usage_user=20 ${t}`,
      `cpu,cpu=cpu0,host=web-1 usage_idle=10 ${t}`,
      `mem,host=web-1 used_percent=41.25 ${t}`,
      `disk,host=web-1,path=/ used_percent=63 ${t}`,
      `disk,host=web-1,path=/boot used_percent=10 ${t}`,
      `system,host=web-1 load1=0.5,load5=0.25,load15=0.125,uptime_format="1 day" ${t}`,
      `net,host=web-1,interface=eth0 bytes_recv=${rx}i,bytes_sent=500i ${t}`,
      `net,host=web-1,interface=lo bytes_recv=99999i ${t}`,
    ].join('\n');
  const r0 = parseLineProtocol(body(t0, 1000), limits, { state });
  assert.deepEqual(r0.errors, []);
  assert.equal(r0.metrics[0]?.network_in_bytes, null, 'first counter observation has no delta');
  const r1 = parseLineProtocol(Buffer.from(body(t1, 4000)), limits, { state });
  assert.deepEqual(r1.errors, []);
  assert.equal(r1.metrics.length, 1, 'all measurements of one host and time merge into one row');
  const row = r1.metrics[0];
  assert.equal(row?.host.hostname, 'web-1');
  assert.equal(row?.host.region, 'eu');
  assert.equal(row?.cpu_usage, 24.5);
  assert.equal(row?.memory_usage, 41.25);
  assert.equal(row?.disk_usage, 63);
  assert.equal(row?.load_15, 0.125);
  assert.equal(row?.network_in_bytes, 3000);
  assert.equal(row?.network_out_bytes, 0);
  const names = new Set(r1.series.map((s) => s.name));
  assert.ok(names.has('cpu_usage_user') && names.has('cpu_usage_idle') && names.has('disk_used_percent'));
  assert.ok(!names.has('system_uptime_format'), 'strings are not series');
  assert.deepEqual(r1.series.find((s) => s.name === 'disk_used_percent')?.labels, { path: '/boot' });
});

test('precision: ns, us, ms, s; nanoseconds truncate to the microsecond', () => {
  const state = new CounterState();
  const sec = BigInt(NOW / 1000);
  const cases: [string, bigint][] = [
    ['ns', sec * 1_000_000_000n + 123_456_789n],
    ['us', sec * 1_000_000n + 123_456n],
    ['ms', sec * 1000n + 123n],
    ['s', sec],
  ];
  for (const [precision, ts] of cases) {
    const r = parseLineProtocol(`vigil,host=h cpu_usage=1 ${ts}`, limits, { state, precision });
    assert.deepEqual(r.errors, [], precision);
    const expected = { ns: 123_456, us: 123_456, ms: 123_000, s: 0 }[precision] as number;
    assert.equal(r.metrics[0]?.tsUs, NOW * 1000 + expected, precision);
  }
  assert.equal(
    parseLineProtocol('vigil,host=h cpu_usage=1', limits, { state, precision: 'xs' }).errors[0]?.field,
    'precision',
  );
});

test('row checks: missing host, out-of-window time, out-of-range column', () => {
  const r = parseLineProtocol(
    [
      `vigil cpu_usage=1 ${NS}`,
      `vigil,host=h cpu_usage=1 ${NS + 86_400_000_000_000n}`,
      `vigil,host=h cpu_usage=101 ${NS}`,
    ].join('\n'),
    limits,
    { state: new CounterState() },
  );
  assert.equal(r.metrics.length, 0);
  assert.deepEqual(
    r.errors.map((e) => [e.index, e.field]),
    [
      [0, 'tags.host'],
      [1, 'timestamp'],
      [2, 'cpu_usage'],
    ],
  );
});
