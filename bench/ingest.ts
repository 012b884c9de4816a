// `npm run bench -- ingest [--servers 1000] [--steps 900] [--clients 4] [--batch 5000] [--writers N]
//                          [--warmup 20] [--all-modules]`
//
// 1,000 servers sending 10-second samples (six values each: cpu, memory, disk, network in/out,
// load), pushed through the real HTTP API (JSON, several concurrent keep-alive clients, bodies
// of `batch` rows as a relay or a catching-up agent sends them). In the same run, before that,
// the same rows are written by one raw binary COPY into the same schema: the baseline
// (`raw_copy_rows_per_s`, into vigil.server_metrics) and, since the writer COPYs into the day
// partitions (migration 0035), also a raw COPY into those (`raw_copy_partition_rows_per_s`,
// taken after the API phase).
// Everything writes with the primary key, the server check, the CHECKs and the rollup marker in
// force, on an embedded PostgreSQL started for the run (fsync off: the disk is not measured).
// The HTTP clients run in a child process (bench/_ingest-clients.ts), as senders on other
// machines would; they first send `warmup` bodies untimed (Vigil's code gets compiled, as in a
// running Vigil), then the table is emptied and every body is sent, timed. The last line is
// JSON. It also gives the CPU time per row the API phase cost Vigil (this process), PostgreSQL
// (every process of the server) and the clients, which the shared machine's load disturbs less
// than rows/s.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { fork } from 'node:child_process';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createUserWithToken } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createPool } from '../src/db/pool.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrator.ts';
import { MetricBlock, byDay } from '../src/ingest/metric-block.ts';
import { copyMetrics, metricsPartition } from '../src/ingest/queries.ts';
import { createLogger } from '../src/logger.ts';
import { startVigil } from '../src/main.ts';
import { ingestModule } from '../src/ingest/module.ts';
import { MODULES } from '../src/modules.ts';
import { partitionsModule } from '../src/storage/module.ts';
import type { ClientJob, ClientResult } from './_ingest-clients.ts';
import { freePort, makeRows, poster, toBodies, type BenchRow } from './_ingest-data.ts';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '900' },
    clients: { type: 'string', default: '4' },
    batch: { type: 'string', default: '5000' },
    writers: { type: 'string', default: '' },
    warmup: { type: 'string', default: '20' },
    'all-modules': { type: 'boolean', default: false },
  },
});
const SERVERS = Number(args.servers);
const STEPS = Number(args.steps);
const CLIENTS = Number(args.clients);
const BATCH = Number(args.batch);
const VALUES_PER_ROW = 6;
const log = (s: string) => process.stderr.write(`${s}\n`);

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
const pg = await startEmbedded({ dataDir, port: await freePort(), database: 'vigil_bench', ephemeral: true });
const pool = createPool({ url: pg.url, max: 4 });
await migrate(pool);
const now = Date.now();
const rows = makeRows(SERVERS, STEPS, now);
const ROWS = rows.length;
// The clients build every body in their own process; this one needs only the first (to retry it).
const [firstBody] = toBodies(rows.slice(0, BATCH), BATCH);
log(
  `bench ingest: ${ROWS} rows (${SERVERS} servers x ${STEPS} samples), ${Math.ceil(ROWS / BATCH)} bodies of ${BATCH}`,
);

// Baseline: register the servers, one raw binary COPY of every row on one connection.
await pool.query('SELECT vigil.ensure_partitions(current_date - 1, current_date + 1)');
const { rows: servers } = await pool.query<{ id: number; hostname: string }>(
  `INSERT INTO vigil.servers (hostname) SELECT 'bench-' || lpad(g::text, 5, '0') FROM generate_series(1, $1) g
   RETURNING id, hostname`,
  [SERVERS],
);
const idOf = new Map(servers.map((s) => [s.hostname, s.id]));
const postmaster = parentPid(
  (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid,
);
const writeRows = MetricBlock.fromRows(
  rows.map((r: BenchRow) => ({ ...r, serverId: idOf.get(r.hostname) as number })),
);
// Only the block is needed from here on. 900,000 row objects left alive would be traced by every
// major collection of the process that also runs Vigil, and counted as Vigil's CPU.
rows.length = 0;
/** Rows/s of one raw binary COPY of every row on one connection, into the table or its day partitions. */
async function rawCopy(into: 'table' | 'partitions'): Promise<number> {
  const client = await pool.connect();
  const t0 = performance.now();
  await client.query('BEGIN');
  if (into === 'table') await copyMetrics(client, writeRows);
  else for (const day of byDay(writeRows)) await copyMetrics(client, day.rows, metricsPartition(day.dayUs));
  await client.query('COMMIT');
  const rate = ROWS / ((performance.now() - t0) / 1000);
  client.release();
  await pool.query('TRUNCATE vigil.server_metrics, vigil.rollup_dirty_hours');
  return rate;
}
// The baseline is a COPY into vigil.server_metrics. The writer COPYs into the day partitions
// instead (migration 0035), so that is measured too, as the stricter comparison, after the API
// phase: run before it, it left the API phase measurably slower (more WAL and buffers behind it)
// than the conditions earlier figures of this bench were taken in.
const rawRate = await rawCopy('table');
log(`raw COPY (1 connection, time order) into server_metrics: ${Math.round(rawRate)} rows/s`);
await pool.query('VACUUM ANALYZE vigil.servers');

// The API: a full Vigil on loopback, the same rows as JSON bodies from concurrent clients.
const config = loadConfig({
  env: {},
  file: '/dev/null',
  overrides: {
    server: { data_dir: dataDir, port: 0, log_level: 'silent', max_body_bytes: 64 * 1024 * 1024 },
    database: { url: pg.url, pool_size: 8 },
    agent: { enabled: false },
    ...(args.writers ? { ingest: { writers: args.writers } } : {}),
  },
});
// By default only ingest (and partition upkeep) run, so the number is ingest's own; --all-modules
// adds every post-commit consumer (alerts, anomaly scoring …) as `vigil start` runs them.
const vigil = await startVigil({
  config,
  logger: createLogger('silent'),
  clock: new ManualClock(now),
  modules: args['all-modules'] ? MODULES : [partitionsModule, ingestModule],
});
const { token } = await createUserWithToken(pool, { username: 'bench', role: 'ingest' });
const url = new URL('/api/v1/metrics', vigil.url);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
/** One body from this process (the retry check below). */
const post = poster(url, token, agent);

// The clients run in a child process (bench/_ingest-clients.ts) that builds the same bodies.
const clients = fork(join(import.meta.dirname, '_ingest-clients.ts'), [], {
  execArgv: ['--import', 'tsx'],
});
const fromClients = () =>
  new Promise<unknown>((done, fail) => {
    clients.once('message', done);
    clients.once('exit', (code) => fail(new Error(`the client process exited (${code})`)));
  });
const job: ClientJob = {
  url: url.href,
  token,
  clients: CLIENTS,
  servers: SERVERS,
  steps: STEPS,
  batch: BATCH,
  now,
};
clients.send(job);
await fromClients(); // 'ready': bodies built
// A running Vigil has its hot code compiled; a fresh process spent ~10 % of its CPU in the timed
// window compiling it. The first bodies go through untimed, then the table is emptied again, so
// the timed phase writes every row into the same empty table as before.
clients.send({ warmup: Number(args.warmup) });
const warm = await fromClients();
if (warm !== 'warm') throw new Error(`clients, warming up: ${(warm as ClientResult).error}`);
await pool.query('TRUNCATE vigil.server_metrics, vigil.rollup_dirty_hours');
let writes = 0; // the writer's transactions that committed metric rows
vigil.ctx.events.on('metrics.committed', () => void writes++);
// How late Vigil's event loop ran (it also answers every other request) while the rows came in.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const cpu0 = { node: process.cpuUsage(), pg: postgresCpuMs(postmaster) };
clients.send('go');
const done = (await fromClients()) as ClientResult;
loopDelay.disable();
const loopP99Ms = Math.round(loopDelay.percentile(99) / 1e4) / 100;
clients.kill();
if (done.error) throw new Error(`clients: ${done.error}`);
const apiSeconds = done.seconds;
const retried = done.retried;
const nodeCpu = process.cpuUsage(cpu0.node);
const usPerRow = (ms: number) => Math.round((ms * 1000 * 100) / ROWS) / 100;
const nodeUsPerRow = usPerRow((nodeCpu.user + nodeCpu.system) / 1000);
const clientUsPerRow = usPerRow(done.cpuMs);
const pgCpu = cpuSince(cpu0.pg, postgresCpuMs(postmaster));
const rowsPerCommit = Math.round(ROWS / Math.max(1, writes));
const pgUsPerRow = usPerRow([...pgCpu.values()].reduce((a, b) => a + b, 0));
const apiRate = ROWS / apiSeconds;

// Integrity, still the database's: every row once, a retry adds nothing, bad rows are refused.
const count = async () =>
  (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM vigil.server_metrics')).rows[0]?.n;
const stored = await count();
await post(firstBody as Buffer);
const afterRetry = await count();
const refuse = async (sql: string) =>
  pool.query(sql).then(
    () => 'accepted',
    (e: { code?: string }) => `refused (${e.code})`,
  );
const unknown = await refuse(
  `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES (987654321, now(), 1)`,
);
const over = await refuse(
  `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage) VALUES (${servers[0]?.id}, now(), 101)`,
);
log(
  `API (${CLIENTS} clients, ${config.ingest.writers} writers): ${Math.round(apiRate)} rows/s; 503 retries: ${retried}; ` +
    `~${rowsPerCommit} rows per transaction; event loop delay p99 ${loopP99Ms} ms; ` +
    `CPU per row: Vigil (Node) ${nodeUsPerRow} µs, PostgreSQL ${pgUsPerRow} µs, the clients ${clientUsPerRow} µs ` +
    `(${[...pgCpu].map(([k, ms]) => `${k} ${usPerRow(ms)}`).join(', ')})`,
);
log(
  `integrity: stored ${stored} of ${ROWS}; after a retried body ${afterRetry}; unknown server ${unknown}; cpu 101 ${over}`,
);
if (stored !== ROWS || afterRetry !== stored || unknown === 'accepted' || over === 'accepted') {
  throw new Error('integrity check failed');
}

await vigil.close();
await pool.query('TRUNCATE vigil.server_metrics, vigil.rollup_dirty_hours');
const partitionRate = await rawCopy('partitions');
log(`raw COPY (1 connection, time order) into its day partitions: ${Math.round(partitionRate)} rows/s`);
await pool.end();
await pg.stop();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'ingest',
    rows: ROWS,
    rows_per_s: Math.round(apiRate),
    values_per_s: Math.round(apiRate * VALUES_PER_ROW),
    raw_copy_rows_per_s: Math.round(rawRate),
    ratio_vs_raw_copy: Math.round((apiRate / rawRate) * 100) / 100,
    raw_copy_partition_rows_per_s: Math.round(partitionRate),
    ratio_vs_partition_copy: Math.round((apiRate / partitionRate) * 100) / 100,
    node_cpu_us_per_row: nodeUsPerRow,
    client_cpu_us_per_row: clientUsPerRow,
    pg_cpu_us_per_row: pgUsPerRow,
    event_loop_p99_ms: loopP99Ms,
    load_avg: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }),
);

/** Fields of /proc/<pid>/stat after the command name (state is [0], ppid [1], utime [11], stime [12]). */
function procStat(pid: number | string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone, or not Linux
  }
}

function parentPid(pid: number | undefined): number {
  return Number(procStat(pid ?? 0)?.[1] ?? 0);
}

/** CPU milliseconds of the postmaster and its children, by kind (backend, walwriter, autovacuum …). */
function postgresCpuMs(postmasterPid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const f = procStat(pid);
    if (!f || (Number(pid) !== postmasterPid && Number(f[1]) !== postmasterPid)) continue;
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const kind = /^postgres: (autovacuum|walwriter|checkpointer|background writer|logical|walsender)/.exec(
      title,
    )?.[1];
    const key = kind ?? (Number(pid) === postmasterPid ? 'postmaster' : 'backends');
    byKind.set(key, (byKind.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) * 10); // USER_HZ 100
  }
  return byKind;
}

/** CPU ms per kind spent between two readings (a process that ended meanwhile is not counted). */
function cpuSince(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}
