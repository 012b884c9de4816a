// The batched audit trail: entries land together after the flush interval, close() writes what
// is queued, a database that refuses is logged and does not break later flushes, and the queue
// is bounded.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { AccessLogWriter } from '../../src/auth/access-log.ts';
import type { AccessLogEntry } from '../../src/auth/queries.ts';
import { createLogger } from '../../src/logger.ts';
import { testDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';

const db = await testDatabase();

function capture() {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger('debug', sink), logged: () => text };
}

const entry = (path: string, status = 200): AccessLogEntry => ({
  userId: null,
  tokenId: null,
  method: 'POST',
  path,
  status,
  ipEncrypted: Buffer.from([1, 2, 3]),
  ipBlindIndex: Buffer.alloc(32, 5),
  userAgent: 'test',
});

const count = async (prefix: string) =>
  (
    await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM vigil.user_access_logs WHERE path LIKE $1',
      [`${prefix}%`],
    )
  ).rows[0]?.n;

test('entries wait for the flush interval, then land in one batch with their values', async () => {
  const { logger } = capture();
  const w = new AccessLogWriter(db.pool, logger, { flushMs: 300 });
  for (let i = 0; i < 50; i++) w.add(entry(`/batch/${i}`, 200 + (i % 3)));
  assert.equal(await count('/batch/'), 0, 'nothing written before the interval');
  await eventually('the batch', async () => (await count('/batch/')) === 50);
  const { rows: tx } = await db.pool.query(
    `SELECT count(DISTINCT xmin::text)::int AS n FROM vigil.user_access_logs WHERE path LIKE '/batch/%'`,
  );
  assert.equal(tx[0].n, 1, 'all fifty in one transaction');
  const { rows } = await db.pool.query(
    `SELECT method, status, ip_encrypted, ip_blind_index, user_agent FROM vigil.user_access_logs
      WHERE path = '/batch/4'`,
  );
  assert.deepEqual(rows, [
    {
      method: 'POST',
      status: 201,
      ip_encrypted: Buffer.from([1, 2, 3]),
      ip_blind_index: Buffer.alloc(32, 5),
      user_agent: 'test',
    },
  ]);
  await w.close();
});

test('a full batch is written at once, and close() writes what is queued', async () => {
  const { logger } = capture();
  const w = new AccessLogWriter(db.pool, logger, { flushMs: 60_000, maxBatch: 10 });
  for (let i = 0; i < 10; i++) w.add(entry(`/full/${i}`));
  await eventually('the full batch', async () => (await count('/full/')) === 10);
  w.add(entry('/closing/1'));
  w.add(entry('/closing/2'));
  await w.close();
  assert.equal(await count('/closing/'), 2);
});

test('a refused batch is logged, and the next one is still written', async () => {
  const { logger, logged } = capture();
  const w = new AccessLogWriter(db.pool, logger, { flushMs: 60_000 });
  w.add(entry('/refused/1', 999)); // status outside the CHECK: the whole INSERT is refused
  await w.flush();
  assert.match(logged(), /could not write access log/);
  assert.equal(await count('/refused/'), 0);
  w.add(entry('/after/1'));
  await w.close();
  assert.equal(await count('/after/'), 1);
});

test('past maxQueued new entries are dropped and counted in the log', async () => {
  const { logger, logged } = capture();
  const w = new AccessLogWriter(db.pool, logger, { flushMs: 60_000, maxBatch: 1000, maxQueued: 5 });
  for (let i = 0; i < 8; i++) w.add(entry(`/bounded/${i}`));
  await w.close();
  assert.equal(await count('/bounded/'), 5);
  assert.match(logged(), /"dropped":3.*access log queue full/);
});

test('the bound counts batches waiting behind a slow database, not only the open batch', async () => {
  const { logger, logged } = capture();
  const w = new AccessLogWriter(db.pool, logger, { flushMs: 60_000, maxBatch: 2, maxQueued: 5 });
  const blocker = await db.pool.connect();
  await blocker.query('BEGIN; LOCK TABLE vigil.user_access_logs IN ACCESS EXCLUSIVE MODE');
  // Full batches leave at once and wait on the lock; the fifth entry waits in the queue.
  for (let i = 0; i < 8; i++) w.add(entry(`/stalled/${i}`));
  await blocker.query('COMMIT');
  blocker.release();
  await w.close();
  assert.equal(await count('/stalled/'), 5);
  assert.match(logged(), /"dropped":3.*access log queue full/);
});
