import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitsAt, metricRowsOf, parseJsonLogs, parseJsonMetrics } from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW);

test('a batch names its host once; rows inherit it and keep microseconds', () => {
  const r = parseJsonMetrics(
    {
      hostname: 'web-1',
      region: 'eu-west',
      labels: { role: 'web' },
      rows: [
        { ts: '2026-03-01T11:59:50.123456Z', cpu_usage: 12.5, memory_usage: 40, network_in_bytes: 1024 },
        { ts: NOW - 1000, disk_usage: 70.25, load_1: 0.5 },
      ],
    },
    limits,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.total, 2);
  assert.equal(metricRowsOf(r).length, 2);
  const [a, b] = metricRowsOf(r);
  assert.equal(a?.tsUs, Date.parse('2026-03-01T11:59:50.123Z') * 1000 + 456);
  assert.deepEqual(a?.host, { hostname: 'web-1', region: 'eu-west', labels: { role: 'web' } });
  assert.equal(a?.cpu_usage, 12.5);
  assert.equal(a?.disk_usage, null, 'an absent column is null, not zero');
  assert.equal(b?.tsUs, (NOW - 1000) * 1000);
});

test('bad rows are refused with index, field and reason; good rows in the same body are kept', () => {
  const r = parseJsonMetrics(
    [
      { hostname: 'a', ts: NOW, cpu_usage: 50 },
      { hostname: 'a', ts: NOW, cpu_usage: 101 },
      { hostname: 'a', ts: NOW, network_in_bytes: -1 },
      { hostname: 'a', ts: NOW + 3_600_000, cpu_usage: 1 },
      { hostname: 'a', ts: '2020-01-01T00:00:00Z', cpu_usage: 1 },
      { hostname: 'bad host', ts: NOW, cpu_usage: 1 },
      { hostname: 'a', ts: NOW, cpu: 1 },
      { hostname: 'a', ts: NOW },
      { hostname: 'a', ts: NOW, load_1: '3' },
      'not an object',
    ],
    limits,
  );
  assert.equal(metricRowsOf(r).length, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.index, e.field]),
    [
      [1, 'cpu_usage'],
      [2, 'network_in_bytes'],
      [3, 'ts'],
      [4, 'ts'],
      [5, 'hostname'],
      [6, 'cpu'],
      [7, 'values'],
      [8, 'load_1'],
      [9, 'row'],
    ],
  );
  for (const e of r.errors) assert.ok(e.reason.length > 0);
});

test('body-level problems are one error at index -1', () => {
  assert.equal(parseJsonMetrics(Buffer.from('{"rows": ['), limits).errors[0]?.field, 'body');
  assert.match(parseJsonMetrics(Buffer.from([0x7b, 0xff, 0x7d]), limits).errors[0]?.reason ?? '', /UTF-8/);
  assert.match(parseJsonMetrics({ rows: 3 }, limits).errors[0]?.reason ?? '', /rows/);
  const many = parseJsonMetrics(
    Array.from({ length: 11 }, () => ({ hostname: 'a', ts: NOW, cpu_usage: 1 })),
    limitsAt(NOW, { maxRows: 10 }),
  );
  assert.equal(metricRowsOf(many).length, 0);
  assert.match(many.errors[0]?.reason ?? '', /more than 10/);
});

test('extra series ride along with metric rows', () => {
  const r = parseJsonMetrics(
    {
      hostname: 'db-1',
      rows: [],
      series: [{ ts: NOW, name: 'disk_usage_percent', labels: { mountpoint: '/data' }, value: 3 }],
    },
    limits,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.series[0]?.labels, { mountpoint: '/data' });
  assert.equal(r.series[0]?.host?.hostname, 'db-1');
});

test('log entries: severity by number or name, context checked for depth and NUL', () => {
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 20; i++) deep = (deep.x = {}) as Record<string, unknown>;
  const r = parseJsonLogs(
    {
      hostname: 'web-1',
      entries: [
        {
          ts: NOW,
          severity: 'error',
          source: 'nginx',
          message: 'upstream timed out',
          context: { code: 504 },
        },
        { ts: NOW, severity: 3, message: 'x' },
        { ts: NOW, severity: 9, message: 'x' },
        { ts: NOW, severity: 'loud', message: 'x' },
        { ts: NOW, severity: 3, message: '' },
        { ts: NOW, severity: 3, message: 'a\u0000b' },
        { ts: NOW, severity: 3, message: 'x', context: root },
      ],
    },
    limits,
  );
  assert.equal(r.logs.length, 2);
  assert.equal(r.logs[0]?.severity, 3);
  assert.deepEqual(
    r.errors.map((e) => [e.index, e.field]),
    [
      [2, 'severity'],
      [3, 'severity'],
      [4, 'message'],
      [5, 'message'],
      [6, 'context'],
    ],
  );
});
