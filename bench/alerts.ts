import { freePort } from '../src/db/embedded.ts';
// `npm run bench -- alerts [--seconds 60] [--servers 1000] [--rules 50]`
//
// 1,000 servers, 50 rules, samples posted at a steady rate to the HTTP ingest API
// (POST /api/v1/metrics with an ingest token; the ingest module commits, answers, and emits
// 'metrics.committed'), a webhook receiver on loopback.
//
// Latencies start when a batch's request is sent, so they include HTTP, validation and the
// ingest COMMIT (an upper bound on commit → …): sent → alerts_history row (the 'alert.changed'
// event the engine emits after its own COMMIT), sent → webhook delivered (includes
// alerts.group_window, 1 s by default), and the duration of each evaluation pass. The baseline is
// the request → acknowledgement time of the batches themselves, measured in the same run.
// "keeps_up" compares the second half of the run with the first (no growing lag).
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertsRuntime } from '../src/alerts/index.ts';
import { createUserWithToken } from '../src/auth/users.ts';
import { loadConfig } from '../src/config/index.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { createLogger } from '../src/logger.ts';
import { startVigil } from '../src/main.ts';
import { ensurePartitionsFor } from '../src/storage/index.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 60);
const SERVERS = arg('servers', 1000);
const RULES = arg('rules', 50);
const BATCH_EVERY_MS = 500;
const PER_BATCH = Math.ceil(SERVERS / 4); // every server reports every 2 s
const SPIKES_PER_BATCH = 3;
const FIRING_RULES = 10;

const p99 = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! * 10) / 10;
};

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-'));
const pg = await startEmbedded({ dataDir, port: await freePort(), database: 'vigil', ephemeral: true });
const config = loadConfig({
  env: {},
  file: '/dev/null',
  overrides: {
    server: { data_dir: dataDir, port: 0, log_level: 'silent' },
    database: { url: pg.url, pool_size: 20 },
    agent: { enabled: false },
  },
});
const vigil = await startVigil({ config, logger: createLogger('warn'), listen: true });
const pool = vigil.db.pool;
const rt = alertsRuntime(vigil.ctx);
await ensurePartitionsFor(pool, new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000));

// Webhook receiver on loopback.
const spikeCommit = new Map<number, number>(); // server → commit time of its current spike
const notifyLat: number[] = [];
const seenNotified = new Set<string>();
const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    const at = performance.now();
    const msg = JSON.parse(body) as { alerts?: { alert_id: number; server_id: number; status: string }[] };
    for (const a of msg.alerts ?? []) {
      const t0 = spikeCommit.get(a.server_id);
      if (a.status !== 'firing' || t0 === undefined || seenNotified.has(`${a.alert_id}`)) continue;
      seenNotified.add(`${a.alert_id}`);
      notifyLat.push(at - t0);
    }
    res.end('ok');
  });
});
await new Promise<void>((d) => hook.listen(0, '127.0.0.1', d));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

// Fleet and rules.
const regions = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'];
const { rows: servers } = await pool.query<{ id: number }>(
  `INSERT INTO vigil.servers (hostname, region, labels)
   SELECT 'bench-' || g, ($2::text[])[1 + g % 5], jsonb_build_object('role', CASE WHEN g % 3 = 0 THEN 'db' ELSE 'web' END)
     FROM generate_series(1, $1) g RETURNING id`,
  [SERVERS, regions],
);
const ids = servers.map((s) => s.id);
const hostnames = new Map(ids.map((id, i) => [id, `bench-${i + 1}`]));
const { token } = await createUserWithToken(pool, { username: 'bench-ingest', role: 'ingest' });
await pool.query(`UPDATE vigil.alerts_configuration SET enabled = false WHERE name = 'high_cpu'`);
await pool.query(
  `INSERT INTO vigil.notification_channels (name, kind, settings, secret_encrypted) VALUES ('bench-hook', 'webhook', '{}', $1)`,
  [vigil.ctx.cipher.encrypt(JSON.stringify({ url: hookUrl, hmac_secret: 'bench-hmac-secret-0123' }))],
);
const metrics = ['memory_usage', 'disk_usage', 'load_1', 'load_5', 'cpu_usage'];
const aggs = ['avg', 'max', 'min', 'p95', 'last'];
const rules: unknown[][] = [];
for (let i = 0; i < RULES; i++) {
  const firing = i < FIRING_RULES; // these fire on a spike; the rest are evaluated but stay quiet
  rules.push([
    `bench_rule_${i}`,
    firing ? (i % 2 ? 'memory_usage' : 'cpu_usage') : metrics[i % 5],
    firing ? 'last' : aggs[i % 5],
    firing ? 60 : 300,
    firing ? 95 : 99.5 + (i % 5) * 0.1,
    firing ? null : regions[i % 5],
    firing || i % 4 ? '{}' : '{"role":"db"}',
    firing ? ['bench-hook'] : [],
    !firing && i % 7 === 0 ? 900 : null,
  ]);
}
for (const r of rules) {
  await pool.query(
    `INSERT INTO vigil.alerts_configuration (name, metric, aggregation, window_seconds, operator, threshold,
       scope_region, scope_labels, channels, no_data_seconds, severity)
     VALUES ($1, $2, $3, $4, '>', $5, $6, $7, $8, $9, 'critical')`,
    r,
  );
}

// Observations.
const alertLat: { at: number; ms: number }[] = [];
const evalMs: number[] = [];
const insertMs: number[] = [];
rt.reports.onEvaluation = (r) => {
  if (r.servers !== 'all') evalMs.push(r.ms);
};
vigil.ctx.events.on('alert.changed', (e) => {
  const t0 = spikeCommit.get(e.serverId);
  if (t0 !== undefined && (e.state === 'firing' || e.state === 'pending'))
    alertLat.push({ at: performance.now(), ms: performance.now() - t0 });
});

// Steady ingest.
const spiking = new Set<number>();
let cursor = 0;
const started = performance.now();
let batches = 0;
while (performance.now() - started < SECONDS * 1000) {
  const tick = performance.now();
  const batch = Array.from({ length: PER_BATCH }, () => ids[cursor++ % ids.length] as number);
  const spikeNow = batch.filter((id) => !spiking.has(id)).slice(0, SPIKES_PER_BATCH);
  const ts = new Date();
  const cpu = batch.map((id) => (spikeNow.includes(id) ? 99 : 20 + (id % 30)));
  const mem = batch.map((id) => (spikeNow.includes(id) ? 99 : 40 + (id % 20)));
  for (const id of batch) if (spiking.has(id)) spiking.delete(id); // back to normal: its alerts resolve
  const t0 = performance.now();
  // Spikes are timed from the moment their request is sent.
  for (const id of spikeNow) {
    spiking.add(id);
    spikeCommit.set(id, t0);
  }
  const rows = batch.map((id, i) => ({
    hostname: hostnames.get(id),
    ts: ts.toISOString(),
    cpu_usage: cpu[i],
    memory_usage: mem[i],
    disk_usage: 50,
    load_1: 1,
    load_5: 1,
  }));
  const res = await fetch(`${vigil.url}/api/v1/metrics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  const answer = (await res.json()) as { accepted?: number };
  if (res.status !== 200 || answer.accepted !== batch.length) {
    throw new Error(`ingest answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  insertMs.push(performance.now() - t0);
  batches++;
  if (batches % 20 === 0)
    console.log(`${Math.round((performance.now() - started) / 1000)}s: ${batches} batches, ${alertLat.length} alert rows, ${notifyLat.length} notified, eval p99 ${p99(evalMs)} ms`); // prettier-ignore
  await new Promise((r) => setTimeout(r, Math.max(0, BATCH_EVERY_MS - (performance.now() - tick))));
}
await rt.engine.idle();
await new Promise((r) => setTimeout(r, 3000)); // let the last group windows and deliveries finish

const half = started + (SECONDS * 1000) / 2;
const first = p99(alertLat.filter((x) => x.at < half).map((x) => x.ms)) ?? 0;
const second = p99(alertLat.filter((x) => x.at >= half).map((x) => x.ms)) ?? 0;
const { rows: dead } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM vigil.notification_outbox WHERE state <> 'delivered'`); // prettier-ignore
console.log(
  `batches ${batches} × ${PER_BATCH} rows; alert rows measured ${alertLat.length}; notifications measured ${notifyLat.length}; undelivered ${dead[0]?.n}; ` +
    `commit→alert p99 first half ${first} ms, second half ${second} ms; group_window ${config.alerts.group_window} ms`,
);
await vigil.close();
hook.close();
await pg.stop();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'alerts',
    servers: SERVERS,
    rules: RULES,
    eval_p99_ms: p99(evalMs),
    ingest_commit_to_alert_p99_ms: p99(alertLat.map((x) => x.ms)),
    notify_p99_ms: p99(notifyLat),
    baseline_ingest_ack_p99_ms: p99(insertMs),
    seconds: SECONDS,
    keeps_up: second <= Math.max(first * 2, first + 100),
  }),
);
process.exit(0);
