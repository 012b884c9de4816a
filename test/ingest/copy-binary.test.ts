// The binary COPY encoder against a real PostgreSQL: every column, nulls, extreme values and
// microsecond timestamps read back exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricBlock } from '../../src/ingest/metric-block.ts';
import { copyLogs, copyMetrics, copySamples } from '../../src/ingest/queries.ts';
import { usToIso } from '../../src/ingest/time.ts';
import { emptyValues } from '../../src/ingest/types.ts';
import { testDatabase } from '../helpers/database.ts';

const db = await testDatabase();
await db.pool.query('SELECT vigil.ensure_partitions(current_date - 1, current_date + 1)');
const { rows: made } = await db.pool.query<{ id: number }>(
  `INSERT INTO vigil.servers (hostname) VALUES ('enc-1') RETURNING id`,
);
const serverId = made[0]?.id as number;
const tsUs = Date.now() * 1000 - 123_457; // not a whole millisecond

test('server_metrics rows with every column and with nulls round-trip', async () => {
  const full = {
    serverId,
    tsUs,
    cpu_usage: 12.5,
    memory_usage: 100,
    disk_usage: 0,
    network_in_bytes: 2 ** 53 - 1,
    network_out_bytes: 0,
    load_1: 0.5,
    load_5: 999_999,
    load_15: 0.125,
  };
  const sparse = { ...full, tsUs: tsUs + 1, cpu_usage: null, network_in_bytes: null, load_15: null };
  const client = await db.pool.connect();
  try {
    await copyMetrics(client, MetricBlock.fromRows([full, sparse]));
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query(
    `SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts, cpu_usage, memory_usage, disk_usage,
            network_in_bytes::text AS nin, network_out_bytes, load_1, load_5, load_15
       FROM vigil.server_metrics WHERE server_id = $1 ORDER BY ts`,
    [serverId],
  );
  assert.deepEqual(rows[0], {
    ts: usToIso(tsUs),
    cpu_usage: 12.5,
    memory_usage: 100,
    disk_usage: 0,
    nin: String(2 ** 53 - 1),
    network_out_bytes: 0,
    load_1: 0.5,
    load_5: 999_999,
    load_15: 0.125,
  });
  assert.deepEqual(
    [rows[1].ts, rows[1].cpu_usage, rows[1].nin, rows[1].load_15],
    [usToIso(tsUs + 1), null, null, null],
  );
});

test('a COPY that reuses an earlier, larger encode buffer sends only its own rows', async () => {
  const host = await db.pool.query<{ id: number }>(
    `INSERT INTO vigil.servers (hostname) VALUES ('enc-reuse') RETURNING id`,
  );
  const id = host.rows[0]?.id as number;
  const at = (i: number) => tsUs - 10_000_000 - i * 1000;
  const big = MetricBlock.fromRows(
    Array.from({ length: 20_000 }, (_, i) => ({
      ...emptyValues(),
      serverId: id,
      tsUs: at(i),
      cpu_usage: 99,
    })),
  );
  const client = await db.pool.connect();
  try {
    await copyMetrics(client, big);
    await client.query('DELETE FROM vigil.server_metrics WHERE server_id = $1', [id]);
    // Smaller, other values: stale bytes of the first COPY after its end must not be sent.
    await copyMetrics(
      client,
      MetricBlock.fromRows([{ ...emptyValues(), serverId: id, tsUs: at(0), load_1: 1.5 }]),
    );
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query(
    'SELECT cpu_usage, load_1 FROM vigil.server_metrics WHERE server_id = $1',
    [id],
  );
  assert.deepEqual(rows, [{ cpu_usage: null, load_1: 1.5 }]);
});

test('samples and logs (text, jsonb, smallint) round-trip', async () => {
  const { rows: s } = await db.pool.query<{ id: number }>(
    `INSERT INTO vigil.metric_series (server_id, name) VALUES ($1, 'x') RETURNING id`,
    [serverId],
  );
  const client = await db.pool.connect();
  try {
    await copySamples(client, [{ seriesId: s[0]?.id as number, tsUs, value: -1.5e300 }]);
    await copyLogs(client, [
      {
        serverId,
        tsUs,
        severity: 7,
        source: 'ünïcode',
        message: 'x'.repeat(5000) + ' 🙂',
        context: { a: [1, { b: 'c' }] },
      },
    ]);
  } finally {
    client.release();
  }
  const samples = await db.pool.query('SELECT value FROM vigil.metric_samples');
  assert.equal(samples.rows[0].value, -1.5e300);
  const logs = await db.pool.query(
    'SELECT severity, source, length(message) AS len, context FROM vigil.error_logs',
  );
  assert.deepEqual(logs.rows[0], {
    severity: 7,
    source: 'ünïcode',
    len: 5002,
    context: { a: [1, { b: 'c' }] },
  });
});
