import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Spool, backoffMs, combine } from '../../src/agent/index.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'vigil-spool-')), 'spool.jsonl');

test('batches come back oldest first; consuming a prefix keeps the rest, durably', async () => {
  const spool = new Spool(file());
  for (let i = 0; i < 5; i++) assert.equal(await spool.append({ n: i }), true);
  const first = await spool.read(2);
  assert.deepEqual(first.batches, [{ n: 0 }, { n: 1 }]);
  // A batch appended while the first two are in flight must survive their removal.
  await spool.append({ n: 5 });
  await spool.consume(first.bytes);
  assert.deepEqual((await spool.read(100)).batches, [{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
  const all = await spool.read(100);
  await spool.consume(all.bytes);
  assert.deepEqual((await spool.read(100)).batches, []);
  assert.equal(readFileSync(spool.path, 'utf8'), '');
});

test('a torn last line (crash during append) is skipped, and a full spool refuses', async () => {
  const path = file();
  const spool = new Spool(path, 10);
  await spool.append({ n: 1 });
  appendFileSync(path, '{"n": 2, "trunc\n');
  assert.deepEqual((await spool.read(10)).batches, [{ n: 1 }]);
  assert.equal(await spool.append({ n: 3 }), false);
});

test('backoff grows exponentially with jitter and a cap; batches combine in order', () => {
  assert.equal(
    backoffMs(0, 1000, 60_000, () => 0),
    500,
  );
  assert.equal(
    backoffMs(3, 1000, 60_000, () => 1),
    8000,
  );
  assert.equal(
    backoffMs(20, 1000, 60_000, () => 1),
    60_000,
  );
  const c = combine([
    { hostname: 'h', rows: [{ a: 1 }], series: [] },
    { hostname: 'h', rows: [{ a: 2 }], series: [{ s: 1 }] },
  ]);
  assert.deepEqual(c.rows, [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(c.series, [{ s: 1 }]);
});
