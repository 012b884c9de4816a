// Simulated metric history for the demo fleet: a daily cycle, a per-server baseline and noise,
// streamed into server_metrics and error_logs with COPY (never row-by-row INSERTs).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient } from '../db/pool.ts';

export interface SimServer {
  id: number;
  /** 0..1: how busy this server is on average. */
  load: number;
  /** Seed for its noise, so a re-run draws the same curves. */
  seed: number;
}

export interface HistoryPlan {
  now: Date;
  /** Fine samples (every `fineStepS`) over the last `fineHours`; coarse ones before. */
  fineHours: number;
  fineStepS: number;
  days: number;
  coarseStepS: number;
  /** Server whose CPU has been pinned near 100% for the last `spikeMinutes` (the incident). */
  hotServerId?: number;
  spikeMinutes?: number;
  /** Server with a memory spike at `anomalyAt` (the anomaly). */
  anomalyServerId?: number;
  anomalyAt?: Date;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));

function* timestamps(plan: HistoryPlan): Generator<number> {
  const end = Math.floor(plan.now.getTime() / 1000 / plan.fineStepS) * plan.fineStepS;
  const fineStart = end - plan.fineHours * 3600;
  const start = end - plan.days * 86_400;
  for (let t = Math.ceil(start / plan.coarseStepS) * plan.coarseStepS; t < fineStart; t += plan.coarseStepS)
    yield t;
  for (let t = fineStart; t <= end; t += plan.fineStepS) yield t;
}

function* metricLines(servers: SimServer[], plan: HistoryPlan): Generator<string> {
  const ts = [...timestamps(plan)];
  const spikeFrom = plan.now.getTime() / 1000 - (plan.spikeMinutes ?? 0) * 60;
  const anomalyT = (plan.anomalyAt?.getTime() ?? 0) / 1000;
  for (const s of servers) {
    const r = rng(s.seed);
    let mem = 35 + s.load * 30;
    const disk0 = 30 + r() * 40;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      const step = i > 0 ? t - (ts[i - 1] as number) : plan.coarseStepS;
      const day = Math.sin(((t % 86_400) / 86_400) * 2 * Math.PI - Math.PI / 2) * 0.5 + 0.5;
      let cpu = clamp(8 + s.load * 45 * (0.5 + day) + (r() - 0.5) * 12);
      if (s.id === plan.hotServerId && t >= spikeFrom) cpu = clamp(95 + r() * 4.5);
      mem = clamp(mem + (r() - 0.5) * 1.5 + (35 + s.load * 30 - mem) * 0.02);
      let m = mem;
      if (s.id === plan.anomalyServerId && Math.abs(t - anomalyT) <= 600) m = clamp(96 + r() * 3);
      const disk = clamp(disk0 + ((t / 86_400) % 30) * 0.3);
      const rate = (2e5 + s.load * 5e6 * (0.3 + day)) * (0.8 + r() * 0.4);
      const inB = Math.round(rate * step);
      const outB = Math.round(rate * step * (0.4 + s.load * 0.5));
      const l1 = (cpu / 100) * 8 * (0.8 + r() * 0.4);
      yield `${s.id}\t${new Date(t * 1000).toISOString()}\t${cpu.toFixed(1)}\t${m.toFixed(1)}\t${disk.toFixed(1)}\t${inB}\t${outB}\t${l1.toFixed(2)}\t${(l1 * 0.9).toFixed(2)}\t${(l1 * 0.8).toFixed(2)}\n`;
    }
  }
}

function batched(lines: Generator<string>, size = 2000): Readable {
  return Readable.from(
    (function* () {
      let buf: string[] = [];
      for (const l of lines) {
        buf.push(l);
        if (buf.length >= size) {
          yield buf.join('');
          buf = [];
        }
      }
      if (buf.length) yield buf.join('');
    })(),
  );
}

export async function copyMetrics(
  client: PoolClient,
  servers: SimServer[],
  plan: HistoryPlan,
): Promise<void> {
  const sink = client.query(
    copyFrom(
      `COPY vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes,
         network_out_bytes, load_1, load_5, load_15) FROM STDIN`,
    ),
  );
  await pipeline(batched(metricLines(servers, plan)), sink);
}

const MESSAGES: [severity: number, source: string, message: string][] = [
  [3, 'nginx', 'upstream timed out (110: Connection timed out) while reading response header'],
  [4, 'kernel', 'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.'],
  [3, 'postgres', 'could not serialize access due to concurrent update'],
  [2, 'app', 'worker pool exhausted: 64/64 busy, queue depth 1200'],
  [4, 'systemd', 'app.service: Watchdog timeout (limit 30s)!'],
  [3, 'app', 'request failed: ECONNRESET from payments-api'],
];

export async function copyLogs(client: PoolClient, servers: SimServer[], plan: HistoryPlan): Promise<void> {
  const now = plan.now.getTime();
  function* lines(): Generator<string> {
    for (const s of servers) {
      const r = rng(s.seed ^ 0x5bd1e995);
      const n = s.id === plan.hotServerId ? 40 : Math.floor(r() * 6);
      for (let i = 0; i < n; i++) {
        const [sev, src, msg] = MESSAGES[Math.floor(r() * MESSAGES.length)] ?? MESSAGES[0]!;
        const back = s.id === plan.hotServerId ? r() * (plan.spikeMinutes ?? 30) * 60_000 : r() * 86_400_000;
        yield `${s.id}\t${new Date(now - back).toISOString()}\t${sev}\t${src}\t${msg}\n`;
      }
    }
  }
  const sink = client.query(
    copyFrom('COPY vigil.error_logs (server_id, ts, severity, source, message) FROM STDIN'),
  );
  await pipeline(batched(lines()), sink);
}
