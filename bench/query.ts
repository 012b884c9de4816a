// `npm run bench -- query`: loads a fleet (default 1,000 servers × 30 days at 5-minute samples
// ≈ 8.6 M rows, COPY per day), builds the rollups and views, then runs each dashboard query warm
// through the API (app.inject, readonly token) and the same question on raw data, and measures
// the incremental refresh of the latest hour and the ingest cost of the dirty-marker trigger.
// Env: VIGIL_BENCH_SERVERS, VIGIL_BENCH_DAYS, VIGIL_BENCH_INTERVAL (seconds, 60 = the issue's
// 43 M-row figure), VIGIL_BENCH_RUNS, VIGIL_BENCH_RAW_RUNS, VIGIL_BENCH_ONLY, DATABASE_URL (else
// embedded).
// VIGIL_BENCH_KEEP=<dir>: keep the embedded database in <dir>; when <dir> already holds one
// loaded by an earlier run, skip the load and the build and only measure the queries (the
// build figures printed are the loading run's, marked "reused").
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createUserWithToken } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrator.ts';
import { freePort, startEmbedded } from '../src/db/embedded.ts';
import { createLogger } from '../src/logger.ts';
import { startVigil } from '../src/main.ts';
import { explainQuery, NAMED_QUERIES } from '../src/rollups/index.ts';
import { loadFleet, type LoadResult } from './_query-load.ts';
import { RAW_QUESTIONS } from './_query-raw.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const SERVERS = env('VIGIL_BENCH_SERVERS', 1000);
const DAYS = env('VIGIL_BENCH_DAYS', 30);
const INTERVAL = env('VIGIL_BENCH_INTERVAL', 300);
const RUNS = env('VIGIL_BENCH_RUNS', 100);
const RAW_RUNS = env('VIGIL_BENCH_RAW_RUNS', 3);
const KEEP = process.env.VIGIL_BENCH_KEEP ? resolve(process.env.VIGIL_BENCH_KEEP) : null;
const DAY = 86_400_000;
const say = (m: string) => process.stderr.write(`[bench query] ${m}\n`);

let dataDir: string | null = null;
let url = process.env.DATABASE_URL ?? '';
let stopDb = async () => undefined as unknown;
const metaFile = KEEP ? join(KEEP, 'bench-load.json') : null;
if (!url) {
  dataDir = KEEP ?? mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const pg = await startEmbedded({ dataDir, port: await freePort(), database: 'vigil', ephemeral: true });
  url = pg.url;
  stopDb = () => pg.stop();
}
const pool: Pool = createPool({ url, max: 4 });
// Also applies migrations added since a kept database was loaded.
await migrate(pool);
let load: LoadResult;
let reused = false;
if (metaFile && existsSync(metaFile)) {
  load = JSON.parse(readFileSync(metaFile, 'utf8')) as LoadResult;
  if (load.servers !== SERVERS || load.days !== DAYS || load.interval_s !== INTERVAL)
    throw new Error(
      `${KEEP} holds ${load.servers} servers × ${load.days} days at ${load.interval_s}s: use another dir`,
    );
  reused = true;
  say(`reusing the fleet loaded at ${load.loaded_at} in ${KEEP} (${load.rows} rows)`);
} else {
  load = await loadFleet(pool, { servers: SERVERS, days: DAYS, interval: INTERVAL, say });
  if (metaFile) writeFileSync(metaFile, JSON.stringify(load));
}
const ids = load.ids;
const end = new Date(load.end).getTime();

// The API path: a full Vigil on this database, a readonly token, app.inject.
const clock = new ManualClock(new Date(end));
const appDir = mkdtempSync(join(tmpdir(), 'vigil-bench-app-'));
const config = loadConfig({
  env: {},
  file: '/dev/null',
  overrides: {
    server: { data_dir: appDir, port: 0, log_level: 'silent' },
    database: { url, pool_size: 4, statement_timeout: '10m' },
    agent: { enabled: false },
    // Its catch-up job would score a week of history for all 1,000 new servers in this process
    // during the measurement (a one-off backfill after install, not the steady state, where
    // scoring follows each ingest batch, and the bench ingests nothing while it measures).
    // VIGIL_BENCH_ANOMALY=1 measures with it anyway.
    anomaly: { enabled: process.env.VIGIL_BENCH_ANOMALY === '1' },
  },
});
const vigil = await startVigil({ config, logger: createLogger('silent'), clock, listen: false });
const { token } = await createUserWithToken(pool, {
  username: `bench-reader-${process.pid}`,
  role: 'readonly',
});
const iso = (ms: number) => new Date(ms).toISOString();
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
  {
    p50_ms: number;
    p95_ms: number;
    max_ms: number;
    raw_p50_ms: number | null;
    speedup: number | null;
    raw_top_overlap?: string;
  }
> = {};
// VIGIL_BENCH_ONLY=a,b: measure only these queries (iteration on a kept database).
const only = process.env.VIGIL_BENCH_ONLY?.split(',');
// The machine is shared: the 1-minute load average before and after the measured queries says
// how much else was running.
const loadBefore = loadavg()[0] as number;
for (const [name, path] of Object.entries(API)) {
  if (only && !only.includes(name)) continue;
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < RUNS + 3; i++) {
    const s = performance.now();
    const res = await vigil.app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
    if (i >= 3) times.push(performance.now() - s);
    body = res.body;
  }
  let raw: number | null = null;
  let overlap: string | undefined;
  const q = RAW_QUESTIONS[name]?.({ end: new Date(end), serverId: sid });
  if (q) {
    const rawTimes: number[] = [];
    for (let i = 0; i < RAW_RUNS; i++) {
      const s = performance.now();
      const r = await pool.query<{ server_id?: string }>(q.text, q.values);
      rawTimes.push(performance.now() - s);
      // Top-N: how many of the raw answer's servers the API answer has too (the p95 over many
      // buckets is an approximation: docs/rollups.md).
      const items = (JSON.parse(body) as { items?: { server_id: number }[] }).items;
      if (items && r.rows[0]?.server_id !== undefined) {
        const api = new Set(items.map((x) => String(x.server_id)));
        overlap = `${r.rows.filter((x) => api.has(String(x.server_id))).length}/${r.rows.length}`;
      }
    }
    raw = pct(rawTimes, 0.5);
  }
  const p50 = pct(times, 0.5);
  queries[name] = {
    p50_ms: r2(p50),
    p95_ms: r2(pct(times, 0.95)),
    max_ms: r2(Math.max(...times)),
    raw_p50_ms: raw === null ? null : r2(raw),
    speedup: raw === null ? null : r2(raw / p50),
    ...(overlap === undefined ? {} : { raw_top_overlap: overlap }),
  };
  say(`${name}: ${JSON.stringify(queries[name])}`);
}
const loadAfter = loadavg()[0] as number;
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
if (dataDir && !KEEP) rmSync(dataDir, { recursive: true, force: true });
rmSync(appDir, { recursive: true, force: true });
const { ids: _ids, loaded_at: _at, end: _end, ...figures } = load;
console.log(
  JSON.stringify({
    bench: 'query',
    ...figures,
    runs: RUNS,
    raw_runs: RAW_RUNS,
    load_avg: [r2(loadBefore), r2(loadAfter)],
    queries,
    ...(reused ? { reused: true } : {}),
  }),
);
