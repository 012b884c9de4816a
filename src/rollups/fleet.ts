// Fleet-wide questions: the overview and top-talkers views, per-region health over time, and
// top-N servers by a metric over a window. Windows longer than a day read whole days from
// metrics_daily and the partial days at either edge from metrics_hourly.
import type { Queryable } from '../db/pool.ts';
import { type Metric, mergedP95 } from './columns.ts';
import { DAY_MS, HOUR_MS, type Range } from './params.ts';

export async function viewAsOf(db: Queryable, view: string): Promise<Date | null> {
  const { rows } = await db.query<{ as_of: Date | null }>(
    'SELECT as_of FROM vigil.rollup_state WHERE stage = $1',
    [view],
  );
  return rows[0]?.as_of ?? null;
}

export const overviewQuery = () => ({
  text: `SELECT region, servers, up, stale, down, cpu_usage_avg, memory_usage_avg, firing_alerts, firing_critical
           FROM vigil.mv_fleet_overview ORDER BY region`,
  values: [] as unknown[],
});

export const topTalkersQuery = (limit: number, region: string | null) => ({
  text: `SELECT server_id, hostname, region, network_in_bytes, network_out_bytes, network_bytes
           FROM vigil.mv_top_talkers
          WHERE ($2::text IS NULL OR region = $2)
          ORDER BY network_bytes DESC, server_id LIMIT $1`,
  values: [limit, region] as unknown[],
});

/** Per-region health from a view: hourly for the last 7 days, daily for the last 31. */
export const regionViewQuery = (
  range: Range,
  region: string | null,
  view: 'mv_region_hourly' | 'mv_region_daily' = 'mv_region_hourly',
) => ({
  text: `SELECT region, bucket AS ts, servers_reporting, cpu_usage_avg, cpu_usage_max, cpu_usage_p95,
                memory_usage_avg, memory_usage_max, memory_usage_p95, disk_usage_avg,
                network_in_bytes, network_out_bytes
           FROM vigil.${view}
          WHERE bucket >= $1 AND bucket < $2 AND ($3::text IS NULL OR region = $3)
          ORDER BY region, bucket`,
  values: [range.from, range.to, region] as unknown[],
});

/** Per-region health at any step from a rollup table (for ranges the view does not cover). */
export const regionRollupQuery = (
  range: Range,
  stepMs: number,
  table: 'metrics_hourly' | 'metrics_daily',
  region: string | null,
) => ({
  text: `SELECT s.region, date_bin($4::interval, h.bucket, timestamptz 'epoch') AS ts,
                ${
                  // One row per server per bucket: when the step is the table's bucket, count(*)
                  // is the distinct count and lets PostgreSQL hash-aggregate instead of sorting.
                  stepMs === (table === 'metrics_daily' ? DAY_MS : HOUR_MS)
                    ? 'count(*)'
                    : 'count(DISTINCT h.server_id)'
                }::int AS servers_reporting,
                (sum(h.cpu_usage_sum) / nullif(sum(h.cpu_usage_count), 0))::real AS cpu_usage_avg,
                max(h.cpu_usage_max) AS cpu_usage_max,
                ${mergedP95('cpu_usage')}::real AS cpu_usage_p95,
                (sum(h.memory_usage_sum) / nullif(sum(h.memory_usage_count), 0))::real AS memory_usage_avg,
                max(h.memory_usage_max) AS memory_usage_max,
                ${mergedP95('memory_usage')}::real AS memory_usage_p95,
                (sum(h.disk_usage_sum) / nullif(sum(h.disk_usage_count), 0))::real AS disk_usage_avg,
                sum(h.network_in_bytes_sum)::bigint AS network_in_bytes,
                sum(h.network_out_bytes_sum)::bigint AS network_out_bytes
           FROM vigil.${table} h JOIN vigil.servers s ON s.id = h.server_id
          WHERE h.bucket >= $1 AND h.bucket < $2 AND ($3::text IS NULL OR s.region = $3)
          GROUP BY 1, 2 ORDER BY 1, 2`,
  values: [range.from, range.to, region, `${stepMs / 1000} seconds`] as unknown[],
});

export const TOP_STATS = ['avg', 'max', 'min', 'p95', 'sum'] as const;
export type TopStat = (typeof TOP_STATS)[number];

const statExpr = (m: Metric, stat: TopStat): string => {
  switch (stat) {
    case 'avg':
      return `sum(h.${m}_sum)::float8 / nullif(sum(h.${m}_count), 0)`;
    case 'max':
      return `max(h.${m}_max)::float8`;
    case 'min':
      return `min(h.${m}_min)::float8`;
    case 'sum':
      return `sum(h.${m}_sum)::float8`;
    case 'p95':
      return `${mergedP95(m)}::float8`;
  }
};

const STAT_COLUMNS: Record<TopStat, readonly string[]> = {
  avg: ['sum', 'count'],
  max: ['max'],
  min: ['min'],
  sum: ['sum'],
  p95: ['p95', 'count'],
};

/** Whole UTC days inside [from, to) go to metrics_daily; the edges to metrics_hourly. */
export function splitWindow(range: Range): { hourly: Range[]; daily: Range | null } {
  const f = range.from.getTime();
  const t = range.to.getTime();
  const hf = Math.floor(f / HOUR_MS) * HOUR_MS;
  const dayStart = Math.ceil(hf / DAY_MS) * DAY_MS;
  const dayEnd = Math.floor(t / DAY_MS) * DAY_MS;
  if (dayEnd - dayStart < DAY_MS) return { hourly: [{ from: new Date(hf), to: range.to }], daily: null };
  const hourly = [
    { from: new Date(hf), to: new Date(dayStart) },
    { from: new Date(dayEnd), to: range.to },
  ].filter((r) => r.to.getTime() > r.from.getTime());
  return { hourly, daily: { from: new Date(dayStart), to: new Date(dayEnd) } };
}

export function topQuery(
  range: Range,
  metric: Metric,
  stat: TopStat,
  limit: number,
  region: string | null,
  order: 'desc' | 'asc',
) {
  const values: unknown[] = [limit, region];
  const param = (v: unknown) => `$${values.push(v)}`;
  // Only the columns the stat needs: for avg, sum and p95 of cpu and memory the covering
  // (bucket) indexes of 0033 then answer without touching the heap.
  const cols = ['server_id', 'samples', ...STAT_COLUMNS[stat].map((c) => `${metric}_${c}`)].join(', ');
  const w = splitWindow(range);
  const parts = w.hourly.map(
    (r) =>
      `SELECT ${cols} FROM vigil.metrics_hourly WHERE bucket >= ${param(r.from)} AND bucket < ${param(r.to)}`,
  );
  if (w.daily)
    parts.push(
      `SELECT ${cols} FROM vigil.metrics_daily WHERE bucket >= ${param(w.daily.from)} AND bucket < ${param(w.daily.to)}`,
    );
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  // Aggregate per server first (a hash aggregate over narrow rows), then join the names of the
  // survivors only.
  const text = `SELECT t.server_id, s.hostname, s.region, t.value, t.samples
      FROM (SELECT h.server_id, ${statExpr(metric, stat)} AS value, sum(h.samples)::bigint AS samples
              FROM (${parts.join(' UNION ALL ')}) h
             GROUP BY h.server_id) t
      JOIN vigil.servers s ON s.id = t.server_id
     WHERE t.value IS NOT NULL AND ($2::text IS NULL OR s.region = $2)
     ORDER BY t.value ${dir}, t.server_id LIMIT $1`;
  return { text, values };
}
