// `vigil demo`: a simulated fleet so a newcomer sees every page alive — servers in three
// regions with history and error logs (COPY, one transaction, as the database owner), then
// alert rules, a CPU alert firing into an incident in progress, a resolved memory alert, an
// anomaly, a silence, a maintenance window and built rollups (src/demo/alerting.ts, through
// the modules' own functions). A fleet already seeded is left as it is.
import type { Pool, PoolClient } from '../db/pool.ts';
import type { ModuleContext } from '../module.ts';
import { ensurePartitionsFor } from '../storage/index.ts';
import { seedAlerting } from './alerting.ts';
import { copyLogs, copyMetrics, type HistoryPlan, type SimServer } from './history.ts';

export interface DemoOptions {
  servers: number;
  days: number;
  /** Hours of one-minute samples before now (older history is every 10 minutes). */
  fineHours: number;
  onProgress?: (step: string) => void;
}

export interface DemoResult {
  seeded: boolean;
  servers: number;
  hotServerId: number;
  incidentId: number | null;
}

export const DEMO_REGIONS = ['us-east', 'eu-west', 'ap-south'];
const ROLES = ['web', 'api', 'db', 'cache', 'worker'];
const MIN = 60_000;
/** The silent servers' history ends this long before now (and so starts this much earlier). */
const QUIET = 120 * MIN;
const SPIKE_MINUTES = 30;

/** A running Vigil: its pool, and its context (started with a ReplayClock, src/demo/clock.ts). */
export interface DemoTarget {
  pool: Pool;
  ctx: ModuleContext;
}

async function insertServers(
  c: PoolClient,
  n: number,
  now: Date,
): Promise<(SimServer & { hostname: string })[]> {
  const names: string[] = [];
  const regions: string[] = [];
  const labels: string[] = [];
  const seen: Date[] = [];
  for (let i = 0; i < n; i++) {
    const region = DEMO_REGIONS[i % DEMO_REGIONS.length] as string;
    const role = ROLES[Math.floor(i / DEMO_REGIONS.length) % ROLES.length] as string;
    names.push(`${role}-${region}-${String(Math.floor(i / DEMO_REGIONS.length) + 1).padStart(3, '0')}`);
    regions.push(region);
    labels.push(JSON.stringify({ role, team: role === 'db' ? 'data' : 'platform', demo: 'true' }));
    // Two servers went quiet a few minutes ago (stale), one two hours ago (down).
    const lag = i === n - 1 ? 120 * MIN : i === n - 2 || i === n - 3 ? 6 * MIN : 0;
    seen.push(new Date(now.getTime() - lag));
  }
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO vigil.servers (hostname, region, environment, labels, first_seen_at, last_seen_at)
     SELECT h, r, 'production', l::jsonb, $5::timestamptz, s
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS t(h, r, l, s)
     RETURNING id`,
    [names, regions, labels, seen, new Date(now.getTime() - 40 * 86_400_000)],
  );
  return rows.map((r, i) => ({
    id: Number(r.id),
    hostname: names[i] as string,
    load: 0.15 + ((i * 37) % 60) / 100,
    seed: 1000 + i * 7919,
  }));
}

export async function seedDemo(target: DemoTarget, options: DemoOptions): Promise<DemoResult> {
  const { pool, ctx } = target;
  const now = ctx.clock.now();
  const existing = await pool.query<{ n: number; hot: string | null }>(
    `SELECT count(*)::int AS n, min(id)::text AS hot FROM vigil.servers WHERE labels @> '{"demo":"true"}'`,
  );
  if ((existing.rows[0]?.n ?? 0) > 0) {
    return {
      seeded: false,
      servers: existing.rows[0]?.n ?? 0,
      hotServerId: Number(existing.rows[0]?.hot),
      incidentId: null,
    };
  }
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // From the silent servers' first sample: their history is shifted back by QUIET, which
    // crosses into an extra UTC day when the seed runs in the first hours of a day.
    await ensurePartitionsFor(c, new Date(now.getTime() - options.days * 86_400_000 - QUIET), now);
    options.onProgress?.('servers');
    const servers = await insertServers(c, options.servers, now);
    const hot = servers[0] as SimServer & { hostname: string };
    const other = servers[Math.min(4, servers.length - 1)] as SimServer;
    const anomalyAt = new Date(now.getTime() - 3 * 3600_000);
    const plan: HistoryPlan = {
      now,
      fineHours: options.fineHours,
      fineStepS: 60,
      days: options.days,
      coarseStepS: 600,
      hotServerId: hot.id,
      spikeMinutes: SPIKE_MINUTES,
      anomalyServerId: other.id,
      anomalyAt,
    };
    options.onProgress?.('metrics');
    // Silent servers stop reporting when they went quiet.
    await copyMetrics(c, servers.slice(0, -3), plan);
    await copyMetrics(c, servers.slice(-3), { ...plan, now: new Date(now.getTime() - QUIET) });
    options.onProgress?.('logs');
    await copyLogs(c, servers, plan);
    await c.query('COMMIT');
    await pool.query('ANALYZE vigil.servers, vigil.server_metrics, vigil.error_logs');
    options.onProgress?.('alerts, incidents and rollups');
    const incidentId = await seedAlerting(pool, ctx, {
      hotHostname: hot.hostname,
      anomalyServerId: other.id,
      anomalyAt,
      spikeFrom: new Date(now.getTime() - SPIKE_MINUTES * MIN),
    });
    return { seeded: true, servers: servers.length, hotServerId: hot.id, incidentId };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
