import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterState, limitsAt, parsePrometheusText, parseScrape } from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

test('exposition format: comments, labels with escapes, special values, timestamps', () => {
  const { series, errors, total } = parsePrometheusText(
    [
      '# HELP node_load1 1m load average.',
      '# TYPE node_load1 gauge',
      'node_load1 0.42',
      'node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.2e+10',
      String.raw`weird{a="quote \" slash \\ nl \n",b=""} +Inf 1772366400000`,
      'gone NaN',
      'broken{a="x} 1',
      '9bad 1',
      'nov{a="1"}',
    ].join('\n'),
    NOW,
  );
  assert.equal(total, 7);
  assert.equal(errors.length, 3);
  for (const e of errors) assert.ok(e.reason.length > 0);
  const weird = series.find((s) => s.labels.__name__ === 'weird');
  assert.deepEqual(weird?.labels, { __name__: 'weird', a: 'quote " slash \\ nl \n', b: '' });
  assert.deepEqual(weird?.samples, [{ value: Infinity, tsMs: 1772366400000 }]);
  assert.deepEqual(series.find((s) => s.labels.__name__ === 'node_load1')?.samples, [
    { value: 0.42, tsMs: NOW },
  ]);
});

test('a scrape adds job and instance and maps node_exporter onto the host', () => {
  const r = parseScrape(
    'node_load1 0.5\nnode_load5 0.25\nnode_load15 0.125\nnode_memory_MemTotal_bytes 100\nnode_memory_MemAvailable_bytes 40\n',
    limitsAt(NOW),
    new CounterState(),
    { job: 'node', instance: 'db-2:9100' },
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.metrics[0]?.host.hostname, 'db-2');
  assert.equal(r.metrics[0]?.memory_usage, 60);
  assert.equal(r.metrics[0]?.load_5, 0.25);
  assert.deepEqual(r.series[0]?.labels, { job: 'node', instance: 'db-2:9100' });
});
