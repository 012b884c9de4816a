// `npm run bench -- query`: loads a fleet (default 1,000 servers × 30 days at 5-minute samples
// ≈ 8.6 M rows, COPY per day), builds the rollups and views, then runs each dashboard query warm
// through the API (app.inject, readonly token) and the same question on raw data, and measures
// the incremental refresh of the latest hour and the ingest cost of the dirty-marker trigger.
// Env: VIGIL_BENCH_SERVERS, VIGIL_BENCH_DAYS, VIGIL_BENCH_INTERVAL (seconds, 60 = the issue's
// 43 M-row figure), VIGIL_BENCH_RUNS, VIGIL_BENCH_RAW_RUNS, DATABASE_URL (else embedded).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { createUserWithToken } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrator.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { createLogger } from '../src/logger.ts';
import { startVigil } from '../src/main.ts';
import {
  explainQuery,
  NAMED_QUERIES,
  refreshDaily,
  refreshHourly,
  refreshViews,
} from '../src/rollups/index.ts';
import { ensurePartitionsFor } from '../src/storage/partitions.ts';
import { RAW_QUESTIONS } from './_query-raw.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const SERVERS = env('VIGIL_BENCH_SERVERS', 1000);
const DAYS = env('VIGIL_BENCH_DAYS', 30);
const INTERVAL = env('VIGIL_BENCH_INTERVAL', 300);
const RUNS = env('VIGIL_BENCH_RUNS', 30);
const RAW_RUNS = env('VIGIL_BENCH_RAW_RUNS', 3);
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
const say = (m: string) => process.stderr.write(`[bench query] ${m}\n`);

let dataDir: string | null = null;
let url = process.env.DATABASE_URL ?? '';
let stopDb = async () => undefined as unknown;
if (!url) {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const pg = await startEmbedded({
    dataDir,
    port: 20000 + (process.pid % 20000),
    database: 'vigil',
    ephemeral: true,
  });
  url = pg.url;
  stopDb = () => pg.stop();
}
const pool: Pool = createPool({ url, max: 4 });
await migrate(pool);
const now = new Date(Math.floor(Date.now() / (INTERVAL * 1000)) * INTERVAL * 1000);
const start = new Date(Math.floor((now.getTime() - DAYS * DAY) / HOUR) * HOUR);
say(
  `${SERVERS} servers × ${DAYS} days at ${INTERVAL}s samples, ${start.toISOString()} .. ${now.toISOString()}`,
);

const { rows: servers } = await pool.query<{ id: number }>(
  `INSERT INTO vigil.servers (hostname, region, first_seen_at, last_seen_at)
   SELECT 'bench-' || lpad(i::text, 5, '0'), ($1::text[])[1 + i % $2], $3, $4 FROM generate_series(1, $5) i
   RETURNING id`,
  [REGIONS, REGIONS.length, start, now, SERVERS],
);
const ids = servers.map((s) => s.id);

/** COPY text lines for [from, to): a daily cycle plus a per-server offset plus noise. */
function* lines(from: number, to: number): Generator<string> {
  for (const id of ids) {
    const base = (id * 37) % 50;
    let buf = '';
    for (let t = from; t < to; t += INTERVAL * 1000) {
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
  say(`loaded ${new Date(d).toISOString().slice(0, 10)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
await pool.query('ANALYZE vigil.server_metrics');
const { rows: cnt } = await pool.query<{ n: number }>(
  'SELECT count(*)::bigint AS n FROM vigil.server_metrics',
);
const rows = cnt[0]?.n ?? 0;
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
  `ingest COPY of ${SERVERS * (slice / (INTERVAL * 1000))} rows: with trigger ${withTrigger.toFixed(0)} ms, without ${withoutTrigger.toFixed(0)} ms (best of 3)`,
);
await pool.query('TRUNCATE vigil.rollup_dirty_hours');

// The API path: a full Vigil on this database, a readonly token, app.inject.
const clock = new ManualClock(new Date(next + HOUR));
const appDir = mkdtempSync(join(tmpdir(), 'vigil-bench-app-'));
const config = loadConfig({
  env: {},
  file: '/dev/null',
  overrides: {
    server: { data_dir: appDir, port: 0, log_level: 'silent' },
    database: { url, pool_size: 4, statement_timeout: '10m' },
    agent: { enabled: false },
  },
});
const vigil = await startVigil({ config, logger: createLogger('silent'), clock, listen: false });
const { token } = await createUserWithToken(pool, { username: 'bench-reader', role: 'readonly' });
const iso = (ms: number) => new Date(ms).toISOString();
const end = next + HOUR;
const sid = ids[Math.floor(ids.length / 2)] as number;
const API: Record<string, string> = {
  fleet_overview: '/api/v1/fleet/overview',
  region_hourly_7d: `/api/v1/fleet/regions?from=${iso(end - 7 * DAY)}&to=${iso(end)}&step=1h`,
  region_daily_30d: `/api/v1/fleet/regions?from=${iso(end - 30 * DAY)}&to=${iso(end)}&step=1d`,
  top_cpu_p95_30d: `/api/v1/fleet/top?metric=cpu_usage&stat=p95&limit=10&from=${iso(end - 30 * DAY)}&to=${iso(end)}`,
  top_cpu_avg_24h: `/api/v1/fleet/top?metric=cpu_usage&stat=avg&limit=10&from=${iso(end - DAY)}&to=${iso(end)}`,
  top_talkers_24h: '/api/v1/fleet/top-talkers?limit=10',
  server_series_30d_1h: `/api/v1/servers/${sid}/series?from=${iso(end - 30 * DAY)}&to=${iso(end)}&step=1h&metrics=cpu_usage,memory_usage`,
  server_series_7d_1d: `/api/v1/servers/${sid}/series?from=${iso(end - 7 * DAY)}&to=${iso(end)}&step=1d&metrics=cpu_usage,memory_usage`,
  servers_page: '/api/v1/servers?region=eu-west&sort=hostname&limit=100',
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const queries: Record<
  string,
  { p50_ms: number; p95_ms: number; raw_p50_ms: number | null; speedup: number | null }
> = {};
for (const [name, path] of Object.entries(API)) {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const s = performance.now();
    const res = await vigil.app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
    if (i >= 3) times.push(performance.now() - s);
  }
  let raw: number | null = null;
  const q = RAW_QUESTIONS[name]?.({ end: new Date(end), serverId: sid });
  if (q) {
    const rawTimes: number[] = [];
    for (let i = 0; i < RAW_RUNS; i++) {
      const s = performance.now();
      await pool.query(q.text, q.values);
      rawTimes.push(performance.now() - s);
    }
    raw = pct(rawTimes, 0.5);
  }
  const p50 = pct(times, 0.5);
  queries[name] = {
    p50_ms: r2(p50),
    p95_ms: r2(pct(times, 0.95)),
    raw_p50_ms: raw === null ? null : r2(raw),
    speedup: raw === null ? null : r2(raw / p50),
  };
  say(`${name}: ${JSON.stringify(queries[name])}`);
}
if (process.env.VIGIL_BENCH_EXPLAIN) {
  // The plans of every named dashboard query on this data, for docs/performance.md.
  const out: string[] = [];
  for (const name of Object.keys(NAMED_QUERIES))
    out.push(`-- ${name}: ${NAMED_QUERIES[name]?.about}\n${await explainQuery(pool, name, new Date(end))}\n`);
  writeFileSync(process.env.VIGIL_BENCH_EXPLAIN, out.join('\n'));
  say(`plans written to ${process.env.VIGIL_BENCH_EXPLAIN}`);
}
await vigil.close();
await pool.end();
await stopDb();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
rmSync(appDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'query',
    rows,
    servers: SERVERS,
    days: DAYS,
    interval_s: INTERVAL,
    queries,
    rollup_build_s: r2(rollupBuildS),
    incremental_refresh_ms: r2(inc.durationMs),
    incremental_buckets: inc.buckets,
    view_refresh_ms: Object.fromEntries(Object.entries(viewMs).map(([k, v]) => [k, r2(v)])),
    ingest_trigger_overhead: r2(withTrigger / withoutTrigger - 1),
  }),
);
