// Servers with seeded, clean samples in vigil.server_metrics (and optionally one CPU spike),
// shared by the runner, module and API tests.
import type { Queryable } from '../../src/db/pool.ts';
import { ensurePartitionsFor } from '../../src/storage/index.ts';
import { noise } from './synthetic.ts';

export const STEP = 5 * 60_000;

export async function addServer(db: Queryable, hostname: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO vigil.servers (hostname) VALUES ($1) RETURNING id`,
    [hostname],
  );
  return rows[0]!.id;
}

/**
 * `n` samples of a clean server at 5-minute steps from `t0`; cpu_usage jumps to 95 at index
 * `spikeAt` (if given). Seeded per `seed`, so every run sees the same series.
 */
export async function addSamples(
  db: Queryable,
  serverId: string,
  t0: number,
  n: number,
  opts: { spikeAt?: number; seed?: number } = {},
): Promise<void> {
  const seed = opts.seed ?? 1;
  await ensurePartitionsFor(db, new Date(t0), new Date(t0 + (n + 1) * STEP));
  const cpu = noise(n, seed, { level: 30, sigma: 3 }).values;
  const mem = noise(n, seed + 1, { level: 60, sigma: 1 }).values;
  const net = noise(n, seed + 2, { level: 1e6, sigma: 5e4 }).values;
  const load = noise(n, seed + 3, { level: 1.2, sigma: 0.1 }).values;
  const idx = Array.from({ length: n }, (_, k) => k);
  await db.query(
    `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes, load_1)
     SELECT $1, t, c, m, 40, n::bigint, (n / 2)::bigint, l
       FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::float8[]) AS u(t, c, m, n, l)`,
    [
      serverId,
      idx.map((i) => new Date(t0 + i * STEP)),
      idx.map((i) => (i === opts.spikeAt ? 95 : Math.min(100, Math.max(0, cpu[i]!)))),
      idx.map((i) => mem[i]!),
      idx.map((i) => Math.max(0, net[i]!)),
      idx.map((i) => Math.max(0, load[i]!)),
    ],
  );
}
