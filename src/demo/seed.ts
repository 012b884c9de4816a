// `vigil demo`: a simulated fleet so a newcomer sees every page alive — servers in three
// regions with history and error logs, alert rules, a CPU alert firing into an incident in
// progress, a resolved alert, and an anomaly. Written straight into the tables (as the database
// owner) in one transaction; a fleet already seeded is left as it is.
import type { Pool, PoolClient } from '../db/pool.ts';
import { ensurePartitionsFor } from '../storage/index.ts';
import { copyLogs, copyMetrics, type HistoryPlan, type SimServer } from './history.ts';

export interface DemoOptions {
  servers: number;
  days: number;
  /** Hours of one-minute samples before now (older history is every 10 minutes). */
  fineHours: number;
  now: Date;
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

async function insertServers(c: PoolClient, n: number, now: Date): Promise<SimServer[]> {
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
    load: 0.15 + ((i * 37) % 60) / 100,
    seed: 1000 + i * 7919,
  }));
}

async function insertAlerting(c: PoolClient, hot: SimServer, other: SimServer, anomalyAt: Date, now: Date) {
  const rule = async (name: string, metric: string, threshold: number, severity: string) =>
    Number(
      (
        await c.query<{ id: string }>(
          `INSERT INTO vigil.alerts_configuration (name, description, metric, operator, threshold, clear_threshold,
             for_seconds, severity, window_seconds)
           VALUES ($1, $2, $3, '>', $4::float8, $4::float8 - 5, 300, $5, 300) RETURNING id`,
          [name, `demo: ${metric} above ${threshold} for 5 minutes`, metric, threshold, severity],
        )
      ).rows[0]?.id,
    );
  const cpuRule = await rule('High CPU', 'cpu_usage', 90, 'critical');
  const memRule = await rule('Memory pressure', 'memory_usage', 95, 'warning');
  await rule('Disk almost full', 'disk_usage', 90, 'warning');
  const started = new Date(now.getTime() - 27 * MIN);
  const fired = new Date(now.getTime() - 22 * MIN);
  const { rows: inc } = await c.query<{ id: string }>(
    `INSERT INTO vigil.incidents (title, summary, status, severity, region, created_at)
     VALUES ($1, $2, 'triggered', 'critical', $3, $4) RETURNING id`,
    [
      `CPU saturation on ${hot.id}`,
      'CPU pinned above 95% since the last deploy; requests are queueing.',
      null,
      fired,
    ],
  );
  const incidentId = Number(inc[0]?.id);
  await c.query(
    `UPDATE vigil.incidents i SET title = 'CPU saturation on ' || s.hostname, region = s.region
       FROM vigil.servers s WHERE i.id = $1 AND s.id = $2`,
    [incidentId, hot.id],
  );
  await c.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, fired_at, peak_value,
       last_value, state_changes, incident_id)
     VALUES ($1, $2, 'firing', 'critical', $3, $4, 99.1, 97.4, $5, $6)`,
    [
      cpuRule,
      hot.id,
      started,
      fired,
      JSON.stringify([
        { at: started, to: 'pending', value: 93.2 },
        { at: fired, to: 'firing', value: 96.8 },
      ]),
      incidentId,
    ],
  );
  const memStart = new Date(anomalyAt.getTime() - 5 * MIN);
  await c.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, fired_at, resolved_at,
       peak_value, last_value)
     VALUES ($1, $2, 'resolved', 'warning', $3, $4, $5, 98.7, 61.0)`,
    [memRule, other.id, memStart, anomalyAt, new Date(anomalyAt.getTime() + 12 * MIN)],
  );
  await c.query(
    `INSERT INTO vigil.incident_response_logs (incident_id, ts, action, details)
     VALUES ($1, $2, 'created', '{"source":"alert"}'), ($1, $2, 'alert_linked', $3), ($1, $4, 'notified', '{"channel":"demo-oncall"}')`,
    [
      incidentId,
      fired,
      JSON.stringify({ rule: 'High CPU', server_id: hot.id }),
      new Date(fired.getTime() + MIN),
    ],
  );
  await c.query(
    `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method, explanation)
     VALUES ($1, $2, '{memory_usage}', 0.94, 'isolation_forest',
             'memory_usage 97.8% vs typical 52% ± 4% for this hour')`,
    [other.id, anomalyAt],
  );
  return incidentId;
}

export async function seedDemo(pool: Pool, options: DemoOptions): Promise<DemoResult> {
  const { now } = options;
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
    await ensurePartitionsFor(c, new Date(now.getTime() - options.days * 86_400_000), now);
    options.onProgress?.('servers');
    const servers = await insertServers(c, options.servers, now);
    const hot = servers[0] as SimServer;
    const other = servers[Math.min(4, servers.length - 1)] as SimServer;
    const anomalyAt = new Date(now.getTime() - 3 * 3600_000);
    const plan: HistoryPlan = {
      now,
      fineHours: options.fineHours,
      fineStepS: 60,
      days: options.days,
      coarseStepS: 600,
      hotServerId: hot.id,
      spikeMinutes: 30,
      anomalyServerId: other.id,
      anomalyAt,
    };
    options.onProgress?.('metrics');
    // Silent servers stop reporting when they went quiet.
    await copyMetrics(c, servers.slice(0, -3), plan);
    await copyMetrics(c, servers.slice(-3), { ...plan, now: new Date(now.getTime() - 120 * MIN) });
    options.onProgress?.('logs');
    await copyLogs(c, servers, plan);
    options.onProgress?.('alerts');
    const incidentId = await insertAlerting(c, hot, other, anomalyAt, now);
    await c.query('COMMIT');
    await pool.query('ANALYZE vigil.servers, vigil.server_metrics, vigil.error_logs');
    return { seeded: true, servers: servers.length, hotServerId: hot.id, incidentId };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
