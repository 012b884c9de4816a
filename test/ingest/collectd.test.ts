import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterState, limitsAt, parseCollectd } from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW);
const vl = (o: Record<string, unknown>) => ({
  dstypes: ['gauge'],
  dsnames: ['value'],
  interval: 10,
  plugin_instance: '',
  type_instance: '',
  host: 'db-1',
  ...o,
});

test('ValuesPercentage lists and load map onto server_metrics, everything is a series', () => {
  const t = NOW / 1000 - 5.25;
  const body = JSON.stringify([
    vl({ plugin: 'cpu', type: 'percent', type_instance: 'idle', values: [70], time: t }),
    vl({ plugin: 'cpu', type: 'percent', type_instance: 'user', values: [25], time: t }),
    vl({ plugin: 'memory', type: 'percent', type_instance: 'used', values: [33.5], time: t }),
    vl({
      plugin: 'df',
      plugin_instance: 'root',
      type: 'percent_bytes',
      type_instance: 'used',
      values: [61],
      time: t,
    }),
    vl({
      plugin: 'load',
      type: 'load',
      dsnames: ['shortterm', 'midterm', 'longterm'],
      values: [0.5, 0.4, 0.3],
      time: t,
    }),
  ]);
  const r = parseCollectd(Buffer.from(body), limits, new CounterState());
  assert.deepEqual(r.errors, []);
  assert.equal(r.metrics.length, 1);
  const m = r.metrics[0];
  assert.equal(m?.tsUs, (NOW - 10_000) * 1000, 'aligned down to the 10 s interval');
  assert.deepEqual([m?.cpu_usage, m?.memory_usage, m?.disk_usage, m?.load_15], [30, 33.5, 61, 0.3]);
  assert.equal(r.series.length, 7);
  assert.ok(r.series.some((s) => s.name === 'collectd_load_load_midterm' && s.value === 0.4));
  assert.deepEqual(r.series.find((s) => s.name === 'collectd_cpu_percent')?.labels, {
    type_instance: 'idle',
  });
});

test('raw values: memory bytes, df_complex, cpu jiffies and interface octets are rated', () => {
  const state = new CounterState();
  const at = (t: number, idle: number, user: number, rx: number) =>
    JSON.stringify([
      vl({
        plugin: 'cpu',
        plugin_instance: '0',
        type: 'cpu',
        type_instance: 'idle',
        dstypes: ['derive'],
        values: [idle],
        time: t,
      }),
      vl({
        plugin: 'cpu',
        plugin_instance: '0',
        type: 'cpu',
        type_instance: 'user',
        dstypes: ['derive'],
        values: [user],
        time: t,
      }),
      vl({ plugin: 'memory', type: 'memory', type_instance: 'used', values: [300], time: t }),
      vl({ plugin: 'memory', type: 'memory', type_instance: 'free', values: [500], time: t }),
      vl({ plugin: 'memory', type: 'memory', type_instance: 'cached', values: [200], time: t }),
      vl({
        plugin: 'df',
        plugin_instance: 'root',
        type: 'df_complex',
        type_instance: 'used',
        values: [80],
        time: t,
      }),
      vl({
        plugin: 'df',
        plugin_instance: 'root',
        type: 'df_complex',
        type_instance: 'free',
        values: [20],
        time: t,
      }),
      vl({
        plugin: 'interface',
        plugin_instance: 'eth0',
        type: 'if_octets',
        dsnames: ['rx', 'tx'],
        values: [rx, 7],
        time: t,
      }),
    ]);
  parseCollectd(at(NOW / 1000 - 10, 1000, 500, 100), limits, state);
  const r = parseCollectd(at(NOW / 1000, 1250, 1250, 600), limits, state);
  assert.deepEqual(r.errors, []);
  const m = r.metrics[0];
  assert.deepEqual(
    [m?.cpu_usage, m?.memory_usage, m?.disk_usage, m?.network_in_bytes, m?.network_out_bytes],
    [75, 30, 80, 500, 0],
  );
});

test('bad value lists are refused with their index and field', () => {
  const r = parseCollectd(
    JSON.stringify([
      vl({ plugin: 'load', type: 'load', values: [1], time: NOW / 1000 }),
      vl({ plugin: 'load', type: 'load', values: ['x'], time: NOW / 1000 }),
      vl({ plugin: 'load', type: 'load', values: [1], time: 'now' }),
      vl({ plugin: 'load', type: 'load', values: [1], dsnames: [], time: NOW / 1000 }),
      vl({ plugin: 'load', type: 'load', values: [1], time: NOW / 1000 + 86_400 }),
      vl({ host: 'no such/host', plugin: 'load', type: 'load', values: [1], time: NOW / 1000 }),
      vl({ plugin: 3, type: 'load', values: [1], time: NOW / 1000 }),
    ]),
    limits,
    new CounterState(),
  );
  assert.equal(r.series.length, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.index, e.field]),
    [
      [1, 'values'],
      [2, 'time'],
      [3, 'dsnames'],
      [4, 'time'],
      [5, 'hostname'],
      [6, 'plugin'],
    ],
  );
  assert.equal(parseCollectd('{"not":"an array"}', limits, new CounterState()).errors[0]?.field, 'body');
});
