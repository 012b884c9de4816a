// server_metrics → servers integrity after migration 0021 (statement-level check instead of a
// per-row foreign key): the same guarantees, including against a concurrent delete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase({ poolSize: 4 });
await db.pool.query('SELECT vigil.ensure_partitions(current_date - 1, current_date + 1)');
const server = async (name: string) =>
  (
    await db.pool.query<{ id: number }>('INSERT INTO vigil.servers (hostname) VALUES ($1) RETURNING id', [
      name,
    ])
  ).rows[0]?.id as number;

test('a row naming a missing server is refused with 23503, as the foreign key did', async () => {
  const id = await server('integ-1');
  await assert.rejects(
    db.pool.query(
      'INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, now(), 1), (424242, now(), 1)',
      [id],
    ),
    (e: { code?: string }) => e.code === '23503',
  );
  await assert.rejects(
    db.pool
      .query(`INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, now(), 1)`, [id])
      .then(() =>
        db.pool.query('UPDATE vigil.server_metrics SET server_id = 424242 WHERE server_id = $1', [id]),
      ),
    (e: { code?: string }) => e.code === '23503',
  );
});

test('a server with metrics cannot be deleted or truncated; one without can be deleted', async () => {
  const used = await server('integ-2');
  const unused = await server('integ-3');
  await db.pool.query('INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, now(), 1)', [
    used,
  ]);
  await assert.rejects(
    db.pool.query('DELETE FROM vigil.servers WHERE id = $1', [used]),
    (e: { code?: string }) => e.code === '23503',
  );
  await assert.rejects(
    db.pool.query('TRUNCATE vigil.servers CASCADE'),
    (e: { code?: string }) => e.code === '23503',
  );
  await db.pool.query('DELETE FROM vigil.servers WHERE id = $1', [unused]);
});

test('a delete racing an uncommitted insert waits for it and is then refused', async () => {
  const id = await server('integ-4');
  const writer = await db.pool.connect();
  const deleter = await db.pool.connect();
  try {
    await writer.query('BEGIN');
    await writer.query('INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES ($1, now(), 1)', [
      id,
    ]);
    await deleter.query('BEGIN');
    const deleting = deleter.query('DELETE FROM vigil.servers WHERE id = $1', [id]).then(
      () => 'deleted',
      (e: { code?: string }) => e.code,
    );
    await new Promise((r) => setTimeout(r, 200));
    await writer.query('COMMIT');
    assert.equal(await deleting, '23503', 'the delete saw the committed row');
    await deleter.query('ROLLBACK');
  } finally {
    writer.release();
    deleter.release();
  }
  const { rows } = await db.pool.query(
    'SELECT count(*)::int AS n FROM vigil.server_metrics WHERE server_id = $1',
    [id],
  );
  assert.equal(rows[0].n, 1);
});
