// Random and mutated bodies for every parser: none may throw or hang, every refusal carries a
// field and a reason, and every row a parser accepts passes the row checks the database mirrors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import snappy from 'snappyjs';
import { deepJson, mutate, prng, randomBytes } from './fuzz-helpers.ts';
import {
  CounterState,
  type ParseResult,
  type PromSeries,
  checkLog,
  checkMetric,
  encodeRemoteWrite,
  limitsAt,
  metricRowsOf,
  parseCollectd,
  parseJsonLogs,
  parseJsonMetrics,
  parseLineProtocol,
  parseRemoteWrite,
  parseScrape,
  parseSyslog,
} from '../../src/ingest/index.ts';

const BODIES = 10_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW, { maxRows: 1000 });

function check(result: ParseResult, label: string): void {
  for (const e of result.errors) {
    assert.ok(Number.isInteger(e.index) && e.index >= -1, `${label}: index ${e.index}`);
    assert.ok(typeof e.field === 'string' && e.field.length > 0, `${label}: field`);
    assert.ok(typeof e.reason === 'string' && e.reason.length > 0, `${label}: reason`);
  }
  for (const [i, m] of metricRowsOf(result).entries())
    assert.equal(checkMetric(m, limits, i), null, `${label}: accepted a bad row`);
  for (const [i, l] of result.logs.entries())
    assert.equal(checkLog(l, limits, i), null, `${label}: accepted a bad log`);
  for (const s of result.series) assert.ok(Number.isFinite(s.value), `${label}: non-finite series value`);
}

function fuzz(
  name: string,
  seeds: Uint8Array[],
  parse: (body: Uint8Array) => ParseResult,
  seed: number,
): void {
  const r = prng(seed);
  for (let i = 0; i < BODIES; i++) {
    const roll = r.next();
    const body = roll < 0.15 ? randomBytes(r) : mutate(r, r.pick(seeds));
    let result: ParseResult;
    try {
      result = parse(body);
    } catch (e) {
      assert.fail(`${name} threw on body #${i} (seed ${seed}): ${(e as Error).stack}`);
    }
    check(result, `${name} #${i}`);
  }
}

const enc = (s: string) => Buffer.from(s);
const ts = NOW - 5000;

test('JSON metrics', { timeout: 60_000 }, () => {
  const seeds = [
    enc(
      JSON.stringify({
        hostname: 'web-1',
        labels: { a: 'b' },
        rows: [
          { ts, cpu_usage: 5, network_in_bytes: 10 },
          { ts: new Date(ts).toISOString(), load_1: 1 },
        ],
      }),
    ),
    enc(JSON.stringify([{ hostname: 'h', ts, memory_usage: 99.5, disk_usage: 0 }])),
    enc(
      JSON.stringify({ hostname: 'h', rows: [], series: [{ ts, name: 'x', labels: { k: 'v' }, value: 1 }] }),
    ),
    enc(deepJson(5000)),
    enc(`[${'{"hostname":"h","ts":1,"cpu_usage":1},'.repeat(1100)}{}]`),
  ];
  fuzz('json-metrics', seeds, (b) => parseJsonMetrics(b, limits), 1);
});

test('JSON logs', { timeout: 60_000 }, () => {
  const seeds = [
    enc(
      JSON.stringify({
        hostname: 'h',
        entries: [{ ts, severity: 'err', source: 's', message: 'boom', context: { a: [1, { b: 2 }] } }],
      }),
    ),
    enc(JSON.stringify([{ hostname: 'h', ts, severity: 7, message: 'm' }])),
    enc(`{"hostname":"h","entries":[{"ts":${ts},"severity":3,"message":"x","context":${deepJson(100)}}]}`),
  ];
  fuzz('json-logs', seeds, (b) => parseJsonLogs(b, limits), 2);
});

test('line protocol', { timeout: 60_000 }, () => {
  const state = new CounterState(10_000);
  const t = BigInt(ts) * 1_000_000n;
  const seeds = [
    enc(
      `cpu,cpu=cpu-total,host=h usage_idle=90.5 ${t}\nmem,host=h used_percent=40 ${t}\nnet,host=h,interface=eth0 bytes_recv=100i,bytes_sent=5u ${t}`,
    ),
    enc(
      `m\\ x,host=h\\,1,t\\=a=b\\ c f\\=1="s \\" \\\\",g=T,h=-1i ${t}\n# comment\n\nvigil,host=h cpu_usage=1,load_1=0.5`,
    ),
    enc(`system,host=h load1=1,load5=2,load15=3 ${t}\n`.repeat(50)),
  ];
  const precisions = ['ns', 'us', 'ms', 's'];
  let n = 0;
  fuzz(
    'line-protocol',
    seeds,
    (b) => parseLineProtocol(b, limits, { state, precision: precisions[n++ % 4] }),
    3,
  );
});

test('remote_write', { timeout: 60_000 }, () => {
  const state = new CounterState(10_000);
  const series: PromSeries[] = [
    {
      labels: { __name__: 'node_cpu_seconds_total', instance: 'h:9100', cpu: '0', mode: 'idle' },
      samples: [{ value: 10, tsMs: ts }],
    },
    {
      labels: { __name__: 'node_load1', instance: 'h:9100' },
      samples: [
        { value: 0.5, tsMs: ts },
        { value: NaN, tsMs: ts + 1 },
      ],
    },
    {
      labels: { __name__: 'node_network_receive_bytes_total', instance: 'h:9100', device: 'eth0' },
      samples: [{ value: -5, tsMs: ts }],
    },
  ];
  const compressed = encodeRemoteWrite(series);
  const raw = snappy.uncompress(compressed);
  const r = prng(44);
  // Half the seeds are mutated before compression, so the protobuf decoder sees broken messages too.
  const parse = (b: Uint8Array) =>
    parseRemoteWrite(r.next() < 0.5 ? snappy.compress(b) : b, limits, { state, maxUncompressed: 1 << 20 });
  fuzz('remote-write', [compressed, raw, compressed.subarray(0, 10)], parse, 4);
});

test('collectd', { timeout: 60_000 }, () => {
  const state = new CounterState(10_000);
  const vl = (o: object) => ({
    dstypes: ['gauge'],
    dsnames: ['value'],
    interval: 10,
    host: 'h',
    plugin_instance: '',
    type_instance: '',
    time: ts / 1000,
    ...o,
  });
  const seeds = [
    enc(
      JSON.stringify([
        vl({ plugin: 'cpu', type: 'percent', type_instance: 'idle', values: [50] }),
        vl({
          plugin: 'load',
          type: 'load',
          dsnames: ['shortterm', 'midterm', 'longterm'],
          values: [1, 2, 3],
        }),
      ]),
    ),
    enc(
      JSON.stringify([
        vl({
          plugin: 'interface',
          plugin_instance: 'eth0',
          type: 'if_octets',
          dsnames: ['rx', 'tx'],
          values: [-1, null],
        }),
      ]),
    ),
    enc(
      JSON.stringify([
        vl({ plugin: 'memory', type: 'memory', type_instance: 'used', values: [1] }),
        vl({ plugin: 'memory', type: 'memory', type_instance: 'free', values: [0] }),
      ]),
    ),
  ];
  fuzz('collectd', seeds, (b) => parseCollectd(b, limits, state), 5);
});

test('syslog', { timeout: 60_000 }, () => {
  const seeds = [
    enc('<165>1 2026-03-01T11:59:58.123Z host app 1 ID [a@1 k="v\\"x"] \uFEFFmessage'),
    enc('<34>Mar  1 11:58:00 web-3 sshd[1234]: Failed password'),
    enc('<13>1 - - - - - -'),
  ];
  fuzz('syslog', seeds, (b) => parseSyslog(b, { peer: '10.0.0.1' }, limits), 6);
});

test('Prometheus exposition (scrape)', { timeout: 60_000 }, () => {
  const state = new CounterState(10_000);
  const seeds = [
    enc(
      '# TYPE node_load1 gauge\nnode_load1 0.5\nnode_filesystem_avail_bytes{mountpoint="/",a="\\"x\\""} 1e9 1772366395000\nup NaN\n',
    ),
  ];
  const decoder = new TextDecoder();
  fuzz(
    'prometheus-text',
    seeds,
    (b) => parseScrape(decoder.decode(b), limits, state, { instance: 'h:9100' }),
    7,
  );
});
