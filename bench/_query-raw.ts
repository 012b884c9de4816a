// The dashboard questions of bench/query.ts asked of raw server_metrics, without rollups or
// views: the baseline each query's speedup is measured against.
interface Q {
  text: string;
  values: unknown[];
}
type Build = (p: { end: Date; serverId: number }) => Q;
const ago = (end: Date, days: number) => new Date(end.getTime() - days * 86_400_000);

export const RAW_QUESTIONS: Record<string, Build> = {
  // The window ends at the bench's end (its clock), not now(): a kept database is measured later.
  fleet_overview: ({ end }) => ({
    text: `SELECT s.region, count(DISTINCT s.id), avg(m.cpu_usage), avg(m.memory_usage)
             FROM vigil.servers s LEFT JOIN vigil.server_metrics m
               ON m.server_id = s.id AND m.ts > $1::timestamptz - interval '15 minutes' AND m.ts <= $1
            GROUP BY s.region`,
    values: [end],
  }),
  region_hourly_7d: ({ end }) => ({
    text: `SELECT s.region, date_trunc('hour', m.ts, 'UTC'), avg(m.cpu_usage), max(m.cpu_usage),
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY m.cpu_usage), avg(m.memory_usage),
                  sum(m.network_in_bytes)
             FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
            WHERE m.ts >= $1 AND m.ts < $2 GROUP BY 1, 2`,
    values: [ago(end, 7), end],
  }),
  region_daily_30d: ({ end }) => ({
    text: `SELECT s.region, date_trunc('day', m.ts, 'UTC'), avg(m.cpu_usage), max(m.cpu_usage), avg(m.memory_usage),
                  sum(m.network_in_bytes)
             FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
            WHERE m.ts >= $1 AND m.ts < $2 GROUP BY 1, 2`,
    values: [ago(end, 30), end],
  }),
  top_cpu_p95_30d: ({ end }) => ({
    text: `SELECT server_id, percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage) AS v
             FROM vigil.server_metrics WHERE ts >= $1 AND ts < $2
            GROUP BY server_id ORDER BY v DESC LIMIT 10`,
    values: [ago(end, 30), end],
  }),
  top_cpu_avg_24h: ({ end }) => ({
    text: `SELECT server_id, avg(cpu_usage) AS v FROM vigil.server_metrics WHERE ts >= $1 AND ts < $2
            GROUP BY server_id ORDER BY v DESC LIMIT 10`,
    values: [ago(end, 1), end],
  }),
  top_talkers_24h: ({ end }) => ({
    text: `SELECT server_id, sum(network_in_bytes) + sum(network_out_bytes) AS v FROM vigil.server_metrics
            WHERE ts >= $1 AND ts < $2 GROUP BY server_id ORDER BY v DESC LIMIT 10`,
    values: [ago(end, 1), end],
  }),
  server_series_30d_1h: ({ end, serverId }) => ({
    text: `SELECT date_trunc('hour', ts, 'UTC'), avg(cpu_usage), min(cpu_usage), max(cpu_usage),
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage), avg(memory_usage)
             FROM vigil.server_metrics WHERE server_id = $3 AND ts >= $1 AND ts < $2 GROUP BY 1 ORDER BY 1`,
    values: [ago(end, 30), end, serverId],
  }),
  server_series_7d_1d: ({ end, serverId }) => ({
    text: `SELECT date_trunc('day', ts, 'UTC'), avg(cpu_usage), min(cpu_usage), max(cpu_usage),
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage), avg(memory_usage)
             FROM vigil.server_metrics WHERE server_id = $3 AND ts >= $1 AND ts < $2 GROUP BY 1 ORDER BY 1`,
    values: [ago(end, 7), end, serverId],
  }),
};
