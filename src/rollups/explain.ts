// The named dashboard queries, built by the same functions the API uses, for
// `vigil explain [query]` and docs/performance.md: each runs under EXPLAIN (ANALYZE, BUFFERS)
// on the current data.
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { overviewQuery, regionRollupQuery, regionViewQuery, topQuery, topTalkersQuery } from './fleet.ts';
import { logsQuery, serversQuery } from './listing.ts';
import { DAY_MS, HOUR_MS } from './params.ts';
import { planTiers, seriesQuery } from './series.ts';
import { QUERY_SETTINGS, stageStates } from './queries.ts';

interface Q {
  text: string;
  values: unknown[];
}
type Build = (db: Queryable, now: Date) => Promise<Q>;

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);
async function someServer(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>('SELECT min(id) AS id FROM vigil.servers');
  return rows[0]?.id ?? 1;
}

export const NAMED_QUERIES: Record<string, { about: string; build: Build }> = {
  fleet_overview: { about: 'GET /api/v1/fleet/overview (view)', build: async () => overviewQuery() },
  region_hourly_7d: {
    about: 'GET /api/v1/fleet/regions (last 7 days, hourly view)',
    build: async (_db, now) => regionViewQuery({ from: ago(now, 7 * DAY_MS), to: now }, null),
  },
  region_daily_30d: {
    about: 'GET /api/v1/fleet/regions?step=1d over 30 days (daily view)',
    build: async (_db, now) =>
      regionViewQuery({ from: ago(now, 30 * DAY_MS), to: now }, null, 'mv_region_daily'),
  },
  region_daily_90d: {
    about: 'GET /api/v1/fleet/regions?step=1d over 90 days (metrics_daily)',
    build: async (_db, now) =>
      regionRollupQuery({ from: ago(now, 90 * DAY_MS), to: now }, DAY_MS, 'metrics_daily', null),
  },
  top_cpu_p95_30d: {
    about: 'GET /api/v1/fleet/top?metric=cpu_usage&stat=p95 over 30 days (daily + hourly edges)',
    build: async (_db, now) =>
      topQuery({ from: ago(now, 30 * DAY_MS), to: now }, 'cpu_usage', 'p95', 10, null, 'desc'),
  },
  top_talkers_24h: {
    about: 'GET /api/v1/fleet/top-talkers (view)',
    build: async () => topTalkersQuery(10, null),
  },
  server_series_30d_1h: {
    about:
      'GET /api/v1/servers/:id/series?step=1h&metrics=cpu_usage,memory_usage over 30 days (hourly + raw for the open hour)',
    build: async (db, now) => {
      const states = await stageStates(db);
      const asOf = states.find((s) => s.stage === 'hourly')?.as_of ?? null;
      const from = new Date(Math.floor(ago(now, 30 * DAY_MS).getTime() / HOUR_MS) * HOUR_MS);
      const tiers = planTiers({ from, to: now }, 'hourly', asOf, null);
      return seriesQuery(await someServer(db), HOUR_MS, 'hourly', tiers, ['cpu_usage', 'memory_usage']);
    },
  },
  servers_page: {
    about: 'GET /api/v1/servers?sort=last_seen_at&order=desc&limit=100',
    build: async () => serversQuery({ sort: 'last_seen_at', order: 'desc', limit: 100 }),
  },
  logs_search: {
    about: 'GET /api/v1/logs?severity=err&q=timeout (last 24 hours)',
    build: async (_db, now) =>
      logsQuery({ from: ago(now, DAY_MS), to: now, maxSeverity: 3, q: 'timeout', limit: 100 }),
  },
};

export async function explainQuery(pool: Pool, name: string, now: Date): Promise<string> {
  const entry = NAMED_QUERIES[name];
  if (!entry) throw new Error(`unknown query ${name}`);
  return withTransaction(pool, async (c) => {
    // The same settings as the API's query transactions (routes/tx.ts).
    await c.query(QUERY_SETTINGS);
    const q = await entry.build(c, now);
    const { rows } = await c.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`,
      q.values,
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
