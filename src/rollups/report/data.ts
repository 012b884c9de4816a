// The daily and weekly report: availability, p95 cpu and memory per server, top offenders,
// alert counts, and MTTA/MTTR when incidents exist. Built from metrics_daily (closed UTC days)
// plus alerts_history, incidents and error_logs, so it is cheap to produce for a whole fleet.
import type { Queryable } from '../../db/pool.ts';
import { mergedP95 } from '../columns.ts';
import { DAY_MS, invalid } from '../params.ts';

export const REPORT_KINDS = ['daily', 'weekly'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** Availability is measured in 5-minute slots with at least one sample (see up_slots). */
const SLOT_MS = 300_000;

export interface ReportPeriod {
  kind: ReportKind;
  from: Date;
  to: Date;
}

/** daily: the given UTC day (default yesterday); weekly: 7 days from the given day (default the last 7 whole days). */
export function reportPeriod(kind: string, date: string | undefined, now: Date): ReportPeriod {
  if (!(REPORT_KINDS as readonly string[]).includes(kind))
    throw invalid('kind', `must be one of ${REPORT_KINDS.join(', ')}`, kind);
  const days = kind === 'daily' ? 1 : 7;
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  let from = today - days * DAY_MS;
  if (date !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
      throw invalid('date', 'must be a UTC day as YYYY-MM-DD', date);
    from = Date.parse(`${date}T00:00:00Z`);
    if (from + days * DAY_MS > today + DAY_MS)
      throw invalid('date', 'the period must not end in the future', date);
  }
  return { kind: kind as ReportKind, from: new Date(from), to: new Date(from + days * DAY_MS) };
}

export interface ServerLine {
  server_id: number;
  hostname: string;
  region: string;
  samples: number;
  availability: number;
  cpu_usage_avg: number | null;
  cpu_usage_p95: number | null;
  memory_usage_avg: number | null;
  memory_usage_p95: number | null;
  disk_usage_max: number | null;
  network_in_bytes: number;
  network_out_bytes: number;
  alerts: number;
  errors: number;
}

export interface Report {
  kind: ReportKind;
  from: Date;
  to: Date;
  region: string | null;
  generated_at: Date;
  summary: {
    servers: number;
    availability_avg: number | null;
    servers_below_99: number;
    alerts: Record<string, number>;
    incidents: number;
    mtta_seconds: number | null;
    mttr_seconds: number | null;
    errors: number;
  };
  servers: ServerLine[];
  top: {
    cpu_p95: ServerLine[];
    memory_p95: ServerLine[];
    availability: ServerLine[];
    errors: ServerLine[];
    alerts: ServerLine[];
  };
  alerts_by_rule: { rule: string; severity: string; count: number }[];
  fleet_hourly: { ts: Date; cpu_usage_avg: number | null; memory_usage_avg: number | null }[];
}

export async function buildReport(
  db: Queryable,
  p: ReportPeriod,
  region: string | null,
  now: Date,
): Promise<Report> {
  const slots = (p.to.getTime() - p.from.getTime()) / SLOT_MS;
  const args = [p.from, p.to, region];
  const { rows: servers } = await db.query<ServerLine>(
    `WITH d AS (
       SELECT h.server_id, sum(h.samples)::int AS samples, sum(h.up_slots)::int AS up_slots,
              (sum(h.cpu_usage_sum) / nullif(sum(h.cpu_usage_count), 0))::float8 AS cpu_usage_avg,
              ${mergedP95('cpu_usage')}::float8 AS cpu_usage_p95,
              (sum(h.memory_usage_sum) / nullif(sum(h.memory_usage_count), 0))::float8 AS memory_usage_avg,
              ${mergedP95('memory_usage')}::float8 AS memory_usage_p95,
              max(h.disk_usage_max)::float8 AS disk_usage_max,
              coalesce(sum(h.network_in_bytes_sum), 0)::float8 AS network_in_bytes,
              coalesce(sum(h.network_out_bytes_sum), 0)::float8 AS network_out_bytes
         FROM vigil.metrics_daily h WHERE h.bucket >= $1 AND h.bucket < $2 GROUP BY h.server_id
     ), a AS (
       SELECT server_id, count(*)::int AS n FROM vigil.alerts_history
        WHERE started_at >= $1 AND started_at < $2 GROUP BY server_id
     ), e AS (
       SELECT server_id, count(*)::int AS n FROM vigil.error_logs
        WHERE ts >= $1 AND ts < $2 AND severity <= 3 GROUP BY server_id
     )
     SELECT s.id AS server_id, s.hostname, s.region, coalesce(d.samples, 0) AS samples,
            least(1, coalesce(d.up_slots, 0) / $4::float8) AS availability,
            d.cpu_usage_avg, d.cpu_usage_p95, d.memory_usage_avg, d.memory_usage_p95, d.disk_usage_max,
            coalesce(d.network_in_bytes, 0) AS network_in_bytes, coalesce(d.network_out_bytes, 0) AS network_out_bytes,
            coalesce(a.n, 0) AS alerts, coalesce(e.n, 0) AS errors
       FROM vigil.servers s
       LEFT JOIN d ON d.server_id = s.id LEFT JOIN a ON a.server_id = s.id LEFT JOIN e ON e.server_id = s.id
      WHERE ($3::text IS NULL OR s.region = $3) AND s.first_seen_at < $2
      ORDER BY s.region, s.hostname`,
    [...args, slots],
  );
  const { rows: byRule } = await db.query<{ rule: string; severity: string; count: number }>(
    `SELECT c.name AS rule, a.severity, count(*)::int AS count
       FROM vigil.alerts_history a JOIN vigil.alerts_configuration c ON c.id = a.rule_id
       JOIN vigil.servers s ON s.id = a.server_id
      WHERE a.started_at >= $1 AND a.started_at < $2 AND ($3::text IS NULL OR s.region = $3)
      GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 20`,
    args,
  );
  const { rows: inc } = await db.query<{ n: number; mtta: number | null; mttr: number | null }>(
    `SELECT count(*)::int AS n,
            avg(extract(epoch FROM acknowledged_at - created_at))::float8 AS mtta,
            avg(extract(epoch FROM resolved_at - created_at))::float8 AS mttr
       FROM vigil.incidents
      WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR region = $3)`,
    args,
  );
  const { rows: hourly } = await db.query<Report['fleet_hourly'][number]>(
    `SELECT h.bucket AS ts,
            (sum(h.cpu_usage_sum) / nullif(sum(h.cpu_usage_count), 0))::float8 AS cpu_usage_avg,
            (sum(h.memory_usage_sum) / nullif(sum(h.memory_usage_count), 0))::float8 AS memory_usage_avg
       FROM vigil.metrics_hourly h JOIN vigil.servers s ON s.id = h.server_id
      WHERE h.bucket >= $1 AND h.bucket < $2 AND ($3::text IS NULL OR s.region = $3)
      GROUP BY 1 ORDER BY 1`,
    args,
  );
  const reporting = servers.filter((s) => s.samples > 0);
  const topBy = (k: keyof ServerLine, asc = false) =>
    [...reporting]
      .filter((s) => s[k] !== null)
      .sort((a, b) => (asc ? 1 : -1) * (Number(a[k]) - Number(b[k])) || a.server_id - b.server_id)
      .slice(0, 10);
  const alerts: Record<string, number> = { critical: 0, warning: 0, info: 0 };
  for (const r of byRule) alerts[r.severity] = (alerts[r.severity] ?? 0) + r.count;
  const i = inc[0];
  return {
    kind: p.kind,
    from: p.from,
    to: p.to,
    region,
    generated_at: now,
    summary: {
      servers: servers.length,
      availability_avg: servers.length
        ? servers.reduce((a, s) => a + s.availability, 0) / servers.length
        : null,
      servers_below_99: servers.filter((s) => s.availability < 0.99).length,
      alerts,
      incidents: i?.n ?? 0,
      mtta_seconds: i?.mtta ?? null,
      mttr_seconds: i?.mttr ?? null,
      errors: servers.reduce((a, s) => a + s.errors, 0),
    },
    servers,
    top: {
      cpu_p95: topBy('cpu_usage_p95'),
      memory_p95: topBy('memory_usage_p95'),
      availability: [...servers]
        .sort((a, b) => a.availability - b.availability || a.server_id - b.server_id)
        .slice(0, 10),
      errors: topBy('errors').filter((s) => s.errors > 0),
      alerts: topBy('alerts').filter((s) => s.alerts > 0),
    },
    alerts_by_rule: byRule,
    fleet_hourly: hourly,
  };
}
