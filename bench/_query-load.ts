// The loading half of bench/query.ts: COPYs a synthetic fleet (one statement per day, the
// rollup trigger active as in production), builds the rollups and views from scratch, measures
// the incremental refresh of the next hour and the ingest cost of the dirty-marker trigger.
// Its result is plain JSON so a kept database (VIGIL_BENCH_KEEP) can be measured again later
// without loading it again.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from '../src/db/pool.ts';
import { refreshDaily, refreshHourly, refreshViews } from '../src/rollups/index.ts';
import { ensurePartitionsFor } from '../src/storage/partitions.ts';

export interface LoadOptions {
  servers: number;
  days: number;
  /** Seconds between two samples of one server. */
  interval: number;
  say: (m: string) => void;
}

export interface LoadResult {
  rows: number;
  servers: number;
  days: number;
  interval_s: number;
  /** Server ids, in insertion order. */
  ids: number[];
  /** End of the measured window: the incremental hour's end (ISO). */
  end: string;
  loaded_at: string;
  rollup_build_s: number;
  incremental_refresh_ms: number;
  incremental_buckets: number;
  view_refresh_ms: Record<string, number>;
  ingest_trigger_overhead: number;
}

const REGIONS = [
  'eu-west',
  'eu-central',
  'us-east',
  'us-west',
  'ap-south',
  'ap-northeast',
  'sa-east',
  'af-south',
];
const HOUR = 3_600_000;
const DAY = 86_400_000;
const r2 = (x: number) => Math.round(x * 100) / 100;

export async function loadFleet(pool: Pool, o: LoadOptions): Promise<LoadResult> {
  const { say } = o;
  const now = new Date(Math.floor(Date.now() / (o.interval * 1000)) * o.interval * 1000);
  const start = new Date(Math.floor((now.getTime() - o.days * DAY) / HOUR) * HOUR);
  say(
    `${o.servers} servers × ${o.days} days at ${o.interval}s samples, ${start.toISOString()} .. ${now.toISOString()}`,
  );

  const { rows: servers } = await pool.query<{ id: number }>(
    `INSERT INTO vigil.servers (hostname, region, first_seen_at, last_seen_at)
     SELECT 'bench-' || lpad(i::text, 5, '0'), ($1::text[])[1 + i % $2], $3, $4 FROM generate_series(1, $5) i
     RETURNING id`,
    [REGIONS, REGIONS.length, start, now, o.servers],
  );
  const ids = servers.map((s) => Number(s.id));

  /** COPY text lines for [from, to): a daily cycle plus a per-server offset plus noise. */
  function* lines(from: number, to: number): Generator<string> {
    for (const id of ids) {
      const base = (id * 37) % 50;
      let buf = '';
      for (let t = from; t < to; t += o.interval * 1000) {
        const phase = Math.sin((t / DAY) * 2 * Math.PI);
        const cpu = Math.min(100, Math.max(0, base + 20 * phase + Math.random() * 30)).toFixed(1);
        const mem = Math.min(100, 30 + base / 2 + Math.random() * 10).toFixed(1);
        const net = Math.floor((id % 13) * 1e6 * (1 + phase) + Math.random() * 1e6);
        buf += `${id}\t${new Date(t).toISOString()}\t${cpu}\t${mem}\t${(40 + (id % 50)).toFixed(1)}\t${net}\t${net >> 2}\t${(Number(cpu) / 25).toFixed(2)}\t\\N\t\\N\n`;
      }
      yield buf;
    }
  }

  async function copyRange(from: number, to: number): Promise<void> {
    const client = await pool.connect();
    try {
      const stream = client.query(
        copyFrom(
          'COPY vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes, load_1, load_5, load_15) FROM STDIN',
        ),
      );
      await pipeline(Readable.from(lines(from, to)), stream);
    } finally {
      client.release();
    }
  }

  await ensurePartitionsFor(pool, start, new Date(now.getTime() + 3 * DAY));
  let t0 = performance.now();
  for (let d = start.getTime(); d < now.getTime(); d += DAY) {
    await copyRange(d, Math.min(d + DAY, now.getTime()));
    say(
      `loaded ${new Date(d).toISOString().slice(0, 10)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  await pool.query('ANALYZE vigil.server_metrics');
  const { rows: cnt } = await pool.query<{ n: string }>(
    'SELECT count(*)::bigint AS n FROM vigil.server_metrics',
  );
  const rows = Number(cnt[0]?.n ?? 0);
  say(`${rows} rows loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  t0 = performance.now();
  const hourly = await refreshHourly(pool, { now, batchBuckets: 24 });
  say(`hourly rollup: ${hourly.buckets} buckets in ${(hourly.durationMs / 1000).toFixed(1)} s`);
  const daily = await refreshDaily(pool, { now });
  say(`daily rollup: ${daily.buckets} buckets in ${(daily.durationMs / 1000).toFixed(1)} s`);
  await pool.query('ANALYZE vigil.metrics_hourly; ANALYZE vigil.metrics_daily');
  await refreshViews(pool, { now });
  const rollupBuildS = (performance.now() - t0) / 1000;

  // Incremental: the next hour for every server arrives, then one hourly run.
  const next = now.getTime();
  await copyRange(next, next + HOUR);
  const inc = await refreshHourly(pool, { now: new Date(next + HOUR) });
  say(`incremental refresh: ${inc.buckets} (server, hour) buckets in ${inc.durationMs.toFixed(0)} ms`);
  const viewMs = await refreshViews(pool, { now: new Date(next + HOUR) });
  say(
    `view refresh ms: ${JSON.stringify(Object.fromEntries(Object.entries(viewMs).map(([k, v]) => [k, Math.round(v)])))}`,
  );

  // Ingest cost of the dirty-marker trigger: equal slices of a future day COPYed with and
  // without it, alternating, best of each (the machine is shared; the minimum is the least noisy).
  const dayA = next + DAY;
  const slice = DAY / 8;
  const timed: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (let i = 0; i < 6; i++) {
    const withIt = i % 2 === 0;
    if (!withIt)
      await pool.query('ALTER TABLE vigil.server_metrics DISABLE TRIGGER server_metrics_rollups_insert');
    const c0 = performance.now();
    await copyRange(dayA + i * slice, dayA + (i + 1) * slice);
    timed[withIt ? 'with' : 'without'].push(performance.now() - c0);
    if (!withIt)
      await pool.query('ALTER TABLE vigil.server_metrics ENABLE TRIGGER server_metrics_rollups_insert');
  }
  const withTrigger = Math.min(...timed.with);
  const withoutTrigger = Math.min(...timed.without);
  say(
    `ingest COPY of ${o.servers * (slice / (o.interval * 1000))} rows: with trigger ${withTrigger.toFixed(0)} ms, without ${withoutTrigger.toFixed(0)} ms (best of 3)`,
  );
  await pool.query('TRUNCATE vigil.rollup_dirty_hours');
  // Settle: fold the incremental hour into its day now, so the Vigil under test finds no
  // rollup work left and the measured queries do not race a daily rebuild.
  await refreshDaily(pool, { now: new Date(next + HOUR) });
  // And what autovacuum does in the minutes after a bulk load (it would otherwise do it during
  // the measurement): statistics, and the visibility map that index-only scans rely on.
  await pool.query('VACUUM (ANALYZE) vigil.server_metrics, vigil.metrics_hourly, vigil.metrics_daily');

  return {
    rows,
    servers: o.servers,
    days: o.days,
    interval_s: o.interval,
    ids,
    end: new Date(next + HOUR).toISOString(),
    loaded_at: new Date().toISOString(),
    rollup_build_s: r2(rollupBuildS),
    incremental_refresh_ms: r2(inc.durationMs),
    incremental_buckets: inc.buckets,
    view_refresh_ms: Object.fromEntries(Object.entries(viewMs).map(([k, v]) => [k, r2(v)])),
    ingest_trigger_overhead: r2(withTrigger / withoutTrigger - 1),
  };
}
