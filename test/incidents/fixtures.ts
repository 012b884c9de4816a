// Helpers for the incident tests: alert episodes written straight into alerts_history (as the
// alerting engine would), 'alert.changed' emitted like the engine does, and small API shortcuts.
import type { ManualClock } from '../../src/core/clock.ts';
import type { VigilEvents } from '../../src/core/events.ts';
import type { Role } from '../../src/core/types.ts';
import type { TestApp } from '../helpers/app.ts';

let seq = 0;

export interface TestAlert {
  alertId: number;
  ruleId: number;
  serverId: number;
}

/** A rule, a server and a firing episode of the rule on it. */
export async function firingAlert(
  app: TestApp,
  opts: { region?: string; severity?: 'critical' | 'warning' | 'info'; firedAt: Date; runbook?: string },
): Promise<TestAlert> {
  const n = ++seq;
  const pool = app.db.pool;
  const severity = opts.severity ?? 'critical';
  const rule = await pool.query<{ id: number }>(
    `INSERT INTO vigil.alerts_configuration (name, metric, operator, threshold, severity, runbook_url)
     VALUES ($1, 'cpu_usage', '>', 90, $2, $3) RETURNING id`,
    [`cpu-high-${n}`, severity, opts.runbook ?? null],
  );
  const server = await pool.query<{ id: number }>(
    `INSERT INTO vigil.servers (hostname, region, first_seen_at) VALUES ($1, $2, $3) RETURNING id`,
    [`web-${n}`, opts.region ?? 'eu-west', new Date(opts.firedAt.getTime() - 86_400_000)],
  );
  const ruleId = rule.rows[0]!.id;
  const serverId = server.rows[0]!.id;
  const alert = await pool.query<{ id: number }>(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, fired_at, peak_value)
     VALUES ($1, $2, 'firing', $3, $4, $4, 97.5) RETURNING id`,
    [ruleId, serverId, severity, opts.firedAt],
  );
  return { alertId: alert.rows[0]!.id, ruleId, serverId };
}

/** Emits 'alert.changed' as the alerting engine does and waits for the incident it produced. */
export async function emitAlert(
  app: TestApp,
  a: TestAlert,
  state: 'firing' | 'resolved' = 'firing',
): Promise<VigilEvents['incident.changed']> {
  const changed = nextIncidentChange(app);
  app.vigil.ctx.events.emit('alert.changed', { ...a, state });
  return changed;
}

export function nextIncidentChange(app: TestApp): Promise<VigilEvents['incident.changed']> {
  return new Promise((resolve) => {
    const off = app.vigil.ctx.events.on('incident.changed', (e) => {
      off();
      resolve(e);
    });
  });
}

export async function resolveAlert(app: TestApp, a: TestAlert, at: Date): Promise<void> {
  await app.db.pool.query(
    `UPDATE vigil.alerts_history SET state = 'resolved', resolved_at = $2 WHERE id = $1`,
    [a.alertId, at],
  );
}

/** Collects 'notification.requested' events from now on. */
export function collectNotifications(app: TestApp): VigilEvents['notification.requested'][] {
  const seen: VigilEvents['notification.requested'][] = [];
  app.vigil.ctx.events.on('notification.requested', (n) => {
    seen.push(n);
  });
  return seen;
}

export function api(app: TestApp) {
  const inject = app.vigil.app.inject.bind(app.vigil.app);
  return async (
    role: Role,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const res = await inject({ method, url, headers: app.as(role), ...(payload ? { payload } : {}) });
    const json = String(res.headers['content-type'] ?? '').includes('json') && res.body !== '';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.statusCode, body: (json ? res.json() : res.body) as any, raw: res };
  };
}

export const minutes = (n: number) => n * 60_000;
export const advance = (clock: ManualClock, ms: number) => clock.advance(ms);

export async function logActions(app: TestApp, incidentId: number): Promise<string[]> {
  const { rows } = await app.db.pool.query<{ action: string }>(
    'SELECT action FROM vigil.incident_response_logs WHERE incident_id = $1 ORDER BY ts, id',
    [incidentId],
  );
  return rows.map((r) => r.action);
}
