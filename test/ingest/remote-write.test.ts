import assert from 'node:assert/strict';
import { test } from 'node:test';
import snappy from 'snappyjs';
import { SnappyError, snappyUncompress } from '../../src/ingest/parsers/snappy.ts';
import {
  CounterState,
  type PromSeries,
  encodeRemoteWrite,
  limitsAt,
  parseRemoteWrite,
} from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW);
const opts = () => ({ state: new CounterState(), maxUncompressed: 1 << 20 });
const inst = { instance: 'web-1:9100', job: 'node' };

/** node_exporter-shaped series at one timestamp. */
function scrape(tsMs: number, idle: number, busy: number, rx: number): PromSeries[] {
  const s = (name: string, labels: Record<string, string>, value: number): PromSeries => ({
    labels: { __name__: name, ...inst, ...labels },
    samples: [{ value, tsMs }],
  });
  return [
    s('node_cpu_seconds_total', { cpu: '0', mode: 'idle' }, idle),
    s('node_cpu_seconds_total', { cpu: '0', mode: 'user' }, busy),
    s('node_cpu_seconds_total', { cpu: '1', mode: 'idle' }, idle),
    s('node_cpu_seconds_total', { cpu: '1', mode: 'system' }, busy),
    s('node_memory_MemTotal_bytes', {}, 8e9),
    s('node_memory_MemAvailable_bytes', {}, 6e9),
    s('node_filesystem_size_bytes', { mountpoint: '/', device: '/dev/sda1' }, 100e9),
    s('node_filesystem_avail_bytes', { mountpoint: '/', device: '/dev/sda1' }, 25e9),
    s('node_network_receive_bytes_total', { device: 'eth0' }, rx),
    s('node_network_transmit_bytes_total', { device: 'eth0' }, 10),
    s('node_network_receive_bytes_total', { device: 'lo' }, rx * 100),
    s('node_load1', {}, 1.5),
    s('node_load5', {}, 1),
    s('node_load15', {}, 0.5),
  ];
}

test('node_exporter series fill server_metrics; every sample is also kept as a series', () => {
  const o = opts();
  const r0 = parseRemoteWrite(encodeRemoteWrite(scrape(NOW - 15_000, 100, 50, 1000)), limits, o);
  assert.deepEqual(r0.errors, []);
  assert.equal(r0.series.length, 14);
  assert.equal(r0.metrics[0]?.cpu_usage, null, 'no cpu rate from one scrape');
  // 15 s later: each cpu spent 3 s idle and 12 s busy → 80 % busy.
  const r1 = parseRemoteWrite(encodeRemoteWrite(scrape(NOW, 103, 62, 5000)), limits, o);
  assert.deepEqual(r1.errors, []);
  assert.equal(r1.metrics.length, 1);
  const m = r1.metrics[0];
  assert.equal(m?.host.hostname, 'web-1');
  assert.equal(m?.tsUs, NOW * 1000);
  assert.equal(m?.cpu_usage, 80);
  assert.equal(m?.memory_usage, 25);
  assert.equal(m?.disk_usage, 75);
  assert.equal(m?.network_in_bytes, 4000, 'lo is left out');
  assert.equal(m?.network_out_bytes, 0);
  assert.deepEqual([m?.load_1, m?.load_5, m?.load_15], [1.5, 1, 0.5]);
  const cpu0 = r1.series.find(
    (s) => s.name === 'node_cpu_seconds_total' && s.labels.cpu === '0' && s.labels.mode === 'idle',
  );
  assert.deepEqual(cpu0?.labels, { instance: 'web-1:9100', job: 'node', cpu: '0', mode: 'idle' });
});

test('a counter reset counts from zero rather than going negative', () => {
  const o = opts();
  parseRemoteWrite(encodeRemoteWrite(scrape(NOW - 10_000, 100, 50, 9000)), limits, o);
  const r = parseRemoteWrite(encodeRemoteWrite(scrape(NOW, 103, 62, 300)), limits, o);
  assert.equal(r.metrics[0]?.network_in_bytes, 300);
});

test('staleness markers (NaN) are dropped, infinities refused with a reason', () => {
  const series: PromSeries[] = [
    {
      labels: { __name__: 'up', ...inst },
      samples: [
        { value: NaN, tsMs: NOW },
        { value: 1, tsMs: NOW - 1000 },
      ],
    },
    { labels: { __name__: 'x', ...inst }, samples: [{ value: Infinity, tsMs: NOW }] },
    { labels: { __name__: 'bad name!', ...inst }, samples: [{ value: 1, tsMs: NOW }] },
    { labels: { __name__: 'old', ...inst }, samples: [{ value: 1, tsMs: NOW - 30 * 86_400_000 }] },
  ];
  const r = parseRemoteWrite(encodeRemoteWrite(series), limits, opts());
  assert.equal(r.total, 5);
  assert.equal(r.series.length, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.index, e.field]),
    [
      [2, 'value'],
      [3, 'name'],
      [4, 'ts'],
    ],
  );
});

test('broken bodies: truncated snappy, not protobuf, decompression bomb', () => {
  const good = encodeRemoteWrite(scrape(NOW, 1, 1, 1));
  const truncated = parseRemoteWrite(good.subarray(0, good.length - 7), limits, opts());
  assert.match(truncated.errors[0]?.reason ?? '', /snappy/);
  const junk = parseRemoteWrite(
    snappy.compress(Buffer.from('\xff\xff\xff\xff not protobuf')),
    limits,
    opts(),
  );
  assert.match(junk.errors[0]?.reason ?? '', /WriteRequest|snappy/);
  const bomb = parseRemoteWrite(snappy.compress(new Uint8Array(2 << 20)), limits, opts());
  assert.match(bomb.errors[0]?.reason ?? '', /too big/);
});

test('our snappy decoder agrees with snappyjs and refuses what would make it loop', () => {
  const text = Buffer.from('abcabcabcabc hello hello hello '.repeat(50) + 'tail');
  const compressed = snappy.compress(text);
  assert.deepEqual(Buffer.from(snappyUncompress(compressed, 1 << 20)), text);
  assert.throws(() => snappyUncompress(Buffer.from('50fc9ced02e2', 'hex'), 1 << 20), SnappyError);
  assert.throws(() => snappyUncompress(Buffer.from([5, 0x01 << 2, 0x61]), 100), SnappyError);
  assert.throws(() => snappyUncompress(Buffer.from([4, 0x00, 0x61, 0x05, 0x05]), 100), /before the start/);
});

test('one scrape split over two requests (Prometheus shards) still yields the whole row', () => {
  const o = opts();
  parseRemoteWrite(encodeRemoteWrite(scrape(NOW - 15_000, 100, 50, 1000)), limits, o);
  const second = scrape(NOW, 103, 62, 5000);
  const a = parseRemoteWrite(encodeRemoteWrite(second.filter((_, i) => i % 2 === 0)), limits, o);
  const b = parseRemoteWrite(encodeRemoteWrite(second.filter((_, i) => i % 2 === 1)), limits, o);
  assert.equal(a.metrics.length, 1);
  const m = b.metrics[0];
  assert.equal(m?.cpu_usage, 80, 'idle from one request and busy from the other make one rate');
  assert.deepEqual([m?.memory_usage, m?.disk_usage, m?.network_in_bytes, m?.load_1], [25, 75, 4000, 1.5]);
});
