// Test data for rollups: servers and random samples written straight into server_metrics (the
// ingest path is another module), after making the partitions they need.
import type { Queryable } from '../../src/db/pool.ts';
import { ensurePartitionsFor } from '../../src/storage/partitions.ts';

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function makeServers(
  db: Queryable,
  specs: { hostname: string; region?: string; environment?: string; lastSeen?: Date | null }[],
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO vigil.servers (hostname, region, environment, first_seen_at, last_seen_at)
     SELECT h, r, e, '2020-01-01', l FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS t(h, r, e, l)
     RETURNING id`,
    [
      specs.map((s) => s.hostname),
      specs.map((s) => s.region ?? 'eu-west'),
      specs.map((s) => s.environment ?? 'production'),
      specs.map((s) => s.lastSeen ?? null),
    ],
  );
  return rows.map((r) => r.id);
}

export interface Sample {
  serverId: number;
  ts: Date;
  cpu: number | null;
  mem: number | null;
  disk?: number | null;
  netIn?: number | null;
  netOut?: number | null;
  load1?: number | null;
}

/** Inserts samples in one statement; duplicates of (server_id, ts) are skipped like a retry. */
export async function insertSamples(db: Queryable, samples: Sample[]): Promise<number> {
  if (samples.length === 0) return 0;
  const times = samples.map((s) => s.ts.getTime());
  await ensurePartitionsFor(db, new Date(Math.min(...times)), new Date(Math.max(...times)));
  const col = <T>(f: (s: Sample) => T) => samples.map(f);
  const { rowCount } = await db.query(
    `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage,
                                      network_in_bytes, network_out_bytes, load_1, load_5, load_15)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::real[], $4::real[], $5::real[],
                          $6::bigint[], $7::bigint[], $8::real[], $8::real[], $8::real[])
     ON CONFLICT (server_id, ts) DO NOTHING`,
    [
      col((s) => s.serverId),
      col((s) => s.ts),
      col((s) => s.cpu),
      col((s) => s.mem),
      col((s) => s.disk ?? null),
      col((s) => s.netIn ?? null),
      col((s) => s.netOut ?? null),
      col((s) => s.load1 ?? null),
    ],
  );
  return rowCount ?? 0;
}

/** Random samples every `everySec` seconds for each server over [from, from + hours). */
export function randomSamples(
  serverIds: number[],
  from: Date,
  hours: number,
  everySec: number,
  rand: () => number,
): Sample[] {
  const out: Sample[] = [];
  for (const serverId of serverIds) {
    for (let t = from.getTime(); t < from.getTime() + hours * 3_600_000; t += everySec * 1000) {
      if (rand() < 0.05) continue; // gaps
      const r = (x: number) => Math.round(x * 100) / 100;
      out.push({
        serverId,
        ts: new Date(t + Math.floor(rand() * 1000)),
        cpu: rand() < 0.03 ? null : r(rand() * 100),
        mem: r(20 + rand() * 70),
        disk: r(rand() * 100),
        netIn: Math.floor(rand() * 1e9),
        netOut: Math.floor(rand() * 1e8),
        load1: r(rand() * 16),
      });
    }
  }
  return out;
}
