// The demo's alerting, made by the product's own code rather than written into its tables:
// rules through the alerts module's createRule, episodes by its engine replayed over the last
// hours (src/demo/clock.ts), incidents opened by the incidents module from 'alert.changed',
// a silence and a maintenance window through the alerts module's exports, rollups and views
// built by the rollups module. Only the anomaly row is inserted directly: the detectors need
// weeks of training before they score, which a demo seeded a second ago does not have.
import {
  alertListQueries,
  alertsRuntime,
  createRule,
  mutingQueries,
  parseMaintenance,
  parseMatchers,
} from '../alerts/index.ts';
import type { Pool } from '../db/pool.ts';
import type { ModuleContext } from '../module.ts';
import { refreshDaily, refreshHourly, refreshViews } from '../rollups/index.ts';
import { ReplayClock } from './clock.ts';

const MIN = 60_000;

export interface AlertingPlan {
  hotHostname: string;
  /** The server with a memory spike of ±10 minutes around anomalyAt. */
  anomalyServerId: number;
  anomalyAt: Date;
  /** When the hot server's CPU began to stay near 100 %. */
  spikeFrom: Date;
}

const RULES = [
  {
    name: 'cpu_saturated',
    description: 'demo: CPU above 90 % on average over 5 minutes, for 5 minutes',
    metric: 'cpu_usage',
    window: '5m',
    operator: '>',
    threshold: 90,
    clear_threshold: 80,
    for: '5m',
    severity: 'critical',
    runbook_url: 'https://runbooks.example.com/cpu',
  },
  {
    name: 'memory_pressure',
    description: 'demo: memory above 95 % at any sample of 5 minutes, for 2 minutes',
    metric: 'memory_usage',
    aggregation: 'max',
    window: '5m',
    operator: '>',
    threshold: 95,
    clear_threshold: 85,
    for: '2m',
    severity: 'warning',
  },
  {
    name: 'disk_almost_full',
    description: 'demo: disk above 90 %',
    metric: 'disk_usage',
    aggregation: 'max',
    operator: '>',
    threshold: 90,
    severity: 'warning',
  },
];

async function firingIncident(pool: Pool, rule: string, hostname: string): Promise<number | null> {
  // The incidents module reacts to the engine's event in the background: wait for its link.
  for (let i = 0; i < 100; i++) {
    const [a] = await alertListQueries.listAlerts(pool, {
      state: 'firing',
      rule,
      server: hostname,
      limit: 1,
    });
    if (a?.incident_id) return a.incident_id;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/**
 * Replays the spikes through the real engine; returns the incident opened for the hot server's
 * CPU alert. Without a ReplayClock (`vigil start --demo` runs on the system clock) the rules
 * are evaluated at the present only: the CPU alert is pending and the running scheduler fires
 * it, and opens its incident, five minutes later; there is no resolved memory alert.
 */
export async function seedAlerting(
  pool: Pool,
  ctx: ModuleContext,
  plan: AlertingPlan,
): Promise<number | null> {
  const replay = ctx.clock instanceof ReplayClock ? ctx.clock : null;
  const engine = alertsRuntime(ctx).engine;
  const t = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MIN);
  // The memory spike (pending, firing, resolved), then the CPU spike (pending, then firing once
  // its 5 minutes have passed).
  const instants = [
    t(plan.anomalyAt, -6),
    t(plan.anomalyAt, -3),
    t(plan.anomalyAt, 20),
    t(plan.spikeFrom, 6),
    t(plan.spikeFrom, 12),
  ];
  let incidentId: number | null = null;
  try {
    // Back in time before the rules exist, so a scheduled evaluation in between sees the past too.
    replay?.replayAt(instants[0] as Date);
    for (const rule of RULES) await createRule(pool, rule, { now: ctx.clock.now(), userId: null });
    for (const at of replay ? instants : []) {
      replay?.replayAt(at);
      await engine.evaluate(null);
    }
    if (replay) incidentId = await firingIncident(pool, 'cpu_saturated', plan.hotHostname);
  } finally {
    replay?.live();
  }
  await engine.evaluate(null);
  const live = ctx.clock.now();
  await pool.query(
    `INSERT INTO vigil.anomalies (server_id, ts, metrics, score, method, explanation)
     VALUES ($1, $2, '{memory_usage}', 0.94, 'combined', 'memory_usage 97.8 % vs typical 52 % ± 4 % for this hour')`,
    [plan.anomalyServerId, plan.anomalyAt],
  );
  await mutingQueries.insertSilence(pool, {
    matchers: parseMatchers(['alertname="disk_almost_full"', 'region="ap-south"']),
    starts_at: live,
    ends_at: new Date(live.getTime() + 24 * 60 * MIN),
    comment: 'demo: disks in ap-south are being resized today',
    created_by: null,
  });
  const { scope_servers: _none, ...window } = parseMaintenance({
    name: 'weekly db patching',
    cron: '0 2 * * sat',
    duration: '2h',
    scope: { region: 'eu-west' },
    comment: 'demo: kernel and PostgreSQL minor updates',
  });
  await mutingQueries.insertMaintenance(pool, { ...window, scope_server_ids: [], created_by: null });
  // Rollups and views as the scheduler would build them, so charts and the overview are full.
  await refreshHourly(pool, { now: live });
  await refreshDaily(pool, { now: live });
  await refreshViews(pool, { now: live });
  return incidentId;
}
