// The batch writer's row block: key order, duplicates folded as the merge function folds them,
// nulls kept apart from zeros.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricBlock, type WriteMetric, byDay, sortedBlock } from '../../src/ingest/metric-block.ts';
import { metricsPartition } from '../../src/ingest/queries.ts';
import { emptyValues } from '../../src/ingest/types.ts';

const row = (serverId: number, tsUs: number, v: Partial<WriteMetric> = {}): WriteMetric => ({
  ...emptyValues(),
  serverId,
  tsUs,
  ...v,
});
const keys = (b: MetricBlock) => b.toRows().map((r) => `${r.serverId}@${r.tsUs}`);

test('rows of several blocks come out in (server, time) order', () => {
  // Time order across servers (as a fleet sends), one server's times out of order, and a second
  // block that goes back in time.
  const a = MetricBlock.fromRows([
    row(7, 10, { cpu_usage: 1 }),
    row(3, 10, { cpu_usage: 2 }),
    row(7, 30, { cpu_usage: 3 }),
    row(3, 20, { cpu_usage: 4 }),
    row(3, 15, { cpu_usage: 5 }),
  ]);
  const b = MetricBlock.fromRows([row(7, 20, { cpu_usage: 6 }), row(1, 99, { cpu_usage: 7 })]);
  const out = sortedBlock([a, b]);
  assert.deepEqual(keys(out), ['1@99', '3@10', '3@15', '3@20', '7@10', '7@20', '7@30']);
  assert.deepEqual(
    out.toRows().map((r) => r.cpu_usage),
    [7, 2, 5, 4, 1, 6, 3],
  );
});

test('server ids spread too thinly for direct buckets sort the same way', () => {
  const far = 2 ** 40;
  const out = sortedBlock([
    MetricBlock.fromRows([row(far, 2), row(5, 9), row(far, 1), row(far / 2, 3), row(5, 4)]),
    MetricBlock.fromRows([row(5, 9, { cpu_usage: 1 })]),
  ]);
  assert.deepEqual(keys(out), ['5@4', '5@9', `${far / 2}@3`, `${far}@1`, `${far}@2`]);
  assert.equal(out.toRows()[1]?.cpu_usage, 1, 'the duplicate folded into one row');
});

test('a key given twice becomes one row; a later non-null value wins, a null never erases', () => {
  const first = MetricBlock.fromRows([
    row(5, 100, { cpu_usage: 10, memory_usage: 20, network_in_bytes: 0 }),
    row(5, 100, { cpu_usage: 11 }),
  ]);
  const later = MetricBlock.fromRows([row(5, 100, { memory_usage: 21, load_15: 0 })]);
  const [merged, ...rest] = sortedBlock([first, later]).toRows();
  assert.equal(rest.length, 0);
  assert.deepEqual(merged, {
    ...row(5, 100),
    cpu_usage: 11,
    memory_usage: 21,
    network_in_bytes: 0,
    load_15: 0,
  });
});

test('columns and rows read back nulls as null and zeros as zero', () => {
  const b = MetricBlock.fromRows([row(1, 1, { cpu_usage: 0, network_out_bytes: 2 ** 53 - 1 })]);
  assert.deepEqual(b.column(0), [0]);
  assert.deepEqual(b.column(1), [null]);
  assert.equal(b.value(0, 4), 2 ** 53 - 1);
  assert.equal(sortedBlock([]).length, 0);
});

test('byDay splits a block at UTC midnight, keeping row order and values; one day stays whole', () => {
  const day = 86_400_000_000;
  const d0 = 20_000 * day; // 2024-10-04T00:00:00Z
  const one = MetricBlock.fromRows([row(1, d0 + 5, { cpu_usage: 1 }), row(2, d0 + day - 1)]);
  const whole = byDay(one);
  assert.equal(whole.length, 1);
  assert.equal(whole[0]?.rows, one, 'a one-day block is not copied');
  assert.equal(whole[0]?.dayUs, d0);
  assert.equal(metricsPartition(d0), 'vigil.server_metrics_p20241004');
  const mixed = MetricBlock.fromRows([
    row(1, d0 + day, { cpu_usage: 10, network_in_bytes: 5 }), // the next day's first microsecond
    row(1, d0 - 1, { cpu_usage: 11 }), // the previous day's last
    row(2, d0 + 7, { memory_usage: 12 }),
    row(3, d0 + day + 3, { load_1: 13 }),
  ]);
  const parts = byDay(mixed);
  assert.deepEqual(
    parts.map((p) => [metricsPartition(p.dayUs), keys(p.rows)]),
    [
      ['vigil.server_metrics_p20241003', [`1@${d0 - 1}`]],
      ['vigil.server_metrics_p20241004', [`2@${d0 + 7}`]],
      ['vigil.server_metrics_p20241005', [`1@${d0 + day}`, `3@${d0 + day + 3}`]],
    ],
  );
  const last = parts[2]?.rows.toRows() ?? [];
  assert.deepEqual(
    [last[0]?.cpu_usage, last[0]?.network_in_bytes, last[0]?.load_1, last[1]?.load_1, last[1]?.cpu_usage],
    [10, 5, null, 13, null],
  );
  assert.deepEqual(byDay(new MetricBlock(0)), []);
});

test('random batches sort and fold like a reference, short runs and runs of hundreds alike', () => {
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (const [servers, rows] of [
    [50, 400], // runs of ~8, out of order and with repeated times
    [2, 600], // runs of ~300: the long-run path
  ] as const) {
    const blocks = [0, 1, 2].map(() =>
      MetricBlock.fromRows(
        Array.from({ length: rows / 3 }, () =>
          row(1 + rnd(servers), rnd(40), { cpu_usage: rnd(3) === 0 ? null : rnd(100), load_1: rnd(9) }),
        ),
      ),
    );
    // Reference: every row in arrival order, a later non-null value of a key wins.
    const want = new Map<string, WriteMetric>();
    for (const r of blocks.flatMap((b) => b.toRows())) {
      const k = `${r.serverId}@${r.tsUs}`;
      const seen = want.get(k);
      const merged: Record<string, unknown> = { ...(seen ?? r) };
      for (const [col, v] of Object.entries(r)) if (v !== null) merged[col] = v;
      want.set(k, merged as unknown as WriteMetric);
    }
    const sorted = [...want.values()].sort((x, y) => x.serverId - y.serverId || x.tsUs - y.tsUs);
    assert.deepEqual(sortedBlock(blocks).toRows(), sorted, `${servers} servers`);
  }
});
