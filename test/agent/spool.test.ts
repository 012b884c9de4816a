import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { type AgentBatch, Spool, backoffMs, combine, groupSize } from '../../src/agent/index.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'vigil-spool-')), 'spool.jsonl');
const batch = (n: number, hostname = 'h'): AgentBatch => ({ hostname, rows: [{ n }], series: [] });
const ns = (entries: { batch: AgentBatch }[]) => entries.flatMap((e) => e.batch.rows);

test('batches come back oldest first; consuming a prefix keeps the rest, durably', async () => {
  const spool = new Spool(file());
  for (let i = 0; i < 5; i++) assert.equal(await spool.append(batch(i)), true);
  const first = await spool.read(2);
  assert.deepEqual(ns(first.entries), [{ n: 0 }, { n: 1 }]);
  // A batch appended while the first two are in flight must survive their removal.
  await spool.append(batch(5));
  await spool.consume(first.bytes);
  assert.deepEqual(ns((await spool.read(100)).entries), [{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
  const all = await spool.read(100);
  await spool.consume(all.bytes);
  assert.deepEqual((await spool.read(100)).entries, []);
  assert.equal(readFileSync(spool.path, 'utf8'), '');
});

test('a torn last line (crash during append) is skipped, and a full spool refuses', async () => {
  const path = file();
  const spool = new Spool(path, 10);
  await spool.append(batch(1));
  appendFileSync(path, '{"key": "agent:h:1", "batch": {"trunc\n');
  assert.deepEqual(ns((await spool.read(10)).entries), [{ n: 1 }]);
  assert.equal(await spool.append(batch(3)), false);
});

test('each spooled batch carries its key, and a new Spool on the same file (a restart) reads the same keys', async () => {
  const path = file();
  const before = new Spool(path);
  await before.append(batch(1));
  await before.append(batch(2));
  const keys = (await before.read(10)).entries.map((e) => e.key);
  assert.equal(new Set(keys).size, 2, 'two batches, two keys');
  for (const k of keys) assert.match(k, /^agent:h:[0-9a-f]{40}$/);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { key: string }).key),
    keys,
    'the key is in the file, next to its batch',
  );
  const after = new Spool(path);
  assert.deepEqual(
    (await after.read(10)).entries.map((e) => [e.key, e.sent]),
    keys.map((k) => [k, false]),
  );
});

test('a sealed request survives a restart as it was: same key, same batches, not regrouped with later ones', async () => {
  const path = file();
  const spool = new Spool(path);
  for (let i = 0; i < 3; i++) await spool.append(batch(i));
  const read = await spool.read(60);
  const sealed = await spool.seal(read.entries.slice(0, groupSize(read.entries)));
  assert.equal(sealed.sent, true);
  assert.deepEqual(ns([sealed]), [{ n: 0 }, { n: 1 }, { n: 2 }]);
  // The agent goes on sampling while the request is retried, then restarts.
  await spool.append(batch(3));
  await spool.append(batch(4));
  const restarted = new Spool(path);
  const { entries } = await restarted.read(60);
  assert.equal(entries.length, 3, 'the sealed request and the two later batches');
  assert.equal(groupSize(entries), 1, 'a sealed request is sent alone');
  const head = entries[0];
  assert.ok(head);
  assert.deepEqual([head.key, head.sent, ns([head])], [sealed.key, true, ns([sealed])]);
  await restarted.consume(head.end);
  assert.deepEqual(ns((await restarted.read(60)).entries), [{ n: 3 }, { n: 4 }]);
  assert.deepEqual(readdirSync(dirname(path)), ['spool.jsonl'], 'the rewrite left no temporary file behind');
});

test('one request holds one host: a restart under another --hostname starts a new request', async () => {
  const spool = new Spool(file());
  await spool.append(batch(1, 'old-name'));
  await spool.append(batch(2, 'old-name'));
  await spool.append(batch(3, 'new-name'));
  assert.equal(groupSize((await spool.read(60)).entries), 2);
});

test('spool lines of the format without keys are read with a deterministic key: the one their sender used', async () => {
  const path = file();
  // What the previous agent wrote: the batch itself, one JSON line each.
  const old = [batch(1, 'legacy-host'), batch(2, 'legacy-host')].map((b) => JSON.stringify(b));
  writeFileSync(path, old.map((l) => `${l}\n`).join(''));
  const expected = old.map(
    (l) => `agent:legacy-host:${createHash('sha256').update(l).digest('hex').slice(0, 40)}`,
  );
  const first = await new Spool(path).read(10);
  assert.deepEqual(
    first.entries.map((e) => [e.key, e.sent]),
    expected.map((k) => [k, false]),
  );
  assert.deepEqual(ns(first.entries), [{ n: 1 }, { n: 2 }]);
  const again = await new Spool(path).read(10);
  assert.deepEqual(
    again.entries.map((e) => e.key),
    expected,
    'the same key on every read',
  );
  // New entries go after them in the new format; sealing the old ones keeps the old key.
  const spool = new Spool(path);
  await spool.append(batch(3, 'legacy-host'));
  const one = (await spool.read(1)).entries;
  const sealed = await spool.seal(one);
  assert.equal(sealed.key, expected[0], 'a lone old batch keeps the key the old sender sent it with');
  const rest = (await new Spool(path).read(10)).entries;
  assert.deepEqual(
    rest.map((e) => [e.key, e.sent]),
    [
      [expected[0], true],
      [expected[1], false],
      [rest[2]?.key, false],
    ],
  );
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
