// /api/v1/fleet/*: overview, per-region health over time, top-N servers, top talkers, and the
// rollup stages' status. View-backed answers carry as_of / age_seconds.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../module.ts';
import { runQuery } from './tx.ts';
import { hasP95, METRICS } from '../columns.ts';
import {
  overviewQuery,
  regionRollupQuery,
  regionViewQuery,
  TOP_STATS,
  type TopStat,
  topQuery,
  topTalkersQuery,
  viewAsOf,
} from '../fleet.ts';
import {
  ageSeconds,
  DAY_MS,
  HOUR_MS,
  invalid,
  parseLimit,
  parseMetric,
  parseRange,
  parseStep,
} from '../params.ts';
import { stageAsOf, stageStates } from '../queries.ts';
import { Freshness, Num, RangeQuery, RegionPoint, tags, TimeOrNull } from './schemas.ts';

const RegionQuery = Type.Object({
  ...RangeQuery,
  step: Type.Optional(Type.String({ description: 'A whole number of hours (default 1h)' })),
  region: Type.Optional(Type.String({ maxLength: 63 })),
});
const TopQuery = Type.Object({
  ...RangeQuery,
  metric: Type.Optional(Type.String({ description: `Default cpu_usage. One of ${METRICS.join(', ')}` })),
  stat: Type.Optional(
    Type.String({ description: `${TOP_STATS.join(', ')} (p95 for cpu/memory; default avg)` }),
  ),
  order: Type.Optional(Type.String({ description: 'desc (default: highest first) or asc' })),
  region: Type.Optional(Type.String({ maxLength: 63 })),
  limit: Type.Optional(Type.Integer({ description: 'Default 10' })),
});
const VIEW_DAYS = 7;
const DAILY_VIEW_DAYS = 31;

export async function fleetRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const cfg = ctx.config.rollups;
  const fresh = (asOf: Date | null) => ({ as_of: asOf, age_seconds: ageSeconds(asOf, ctx.clock.now()) });

  app.get(
    '/api/v1/fleet/overview',
    {
      schema: {
        summary: 'Servers per region, up/stale/down, current cpu and memory, firing alerts (view)',
        tags,
        response: {
          200: Type.Object({
            ...Freshness,
            totals: Type.Object({
              servers: Type.Integer(),
              up: Type.Integer(),
              stale: Type.Integer(),
              down: Type.Integer(),
              firing_alerts: Type.Integer(),
            }),
            regions: Type.Array(
              Type.Object({
                region: Type.String(),
                servers: Type.Integer(),
                up: Type.Integer(),
                stale: Type.Integer(),
                down: Type.Integer(),
                cpu_usage_avg: Num,
                memory_usage_avg: Num,
                firing_alerts: Type.Integer(),
                firing_critical: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) =>
      runQuery(request, async (c) => {
        const q = overviewQuery();
        const { rows } = await c.query<Record<'servers' | 'up' | 'stale' | 'down' | 'firing_alerts', number>>(
          q.text,
          q.values,
        );
        const sum = (k: 'servers' | 'up' | 'stale' | 'down' | 'firing_alerts') =>
          rows.reduce((a, r) => a + r[k], 0);
        return {
          ...fresh(await viewAsOf(c, 'mv_fleet_overview')),
          totals: {
            servers: sum('servers'),
            up: sum('up'),
            stale: sum('stale'),
            down: sum('down'),
            firing_alerts: sum('firing_alerts'),
          },
          regions: rows,
        };
      }),
  );

  app.get<{ Querystring: Static<typeof RegionQuery> }>(
    '/api/v1/fleet/regions',
    {
      schema: {
        summary:
          'Per-region health over time (views: hourly for the last 7 days, daily for the last 31; rollups otherwise)',
        tags,
        querystring: RegionQuery,
        response: {
          200: Type.Object({
            source: Type.String(),
            step_seconds: Type.Integer(),
            ...Freshness,
            points: Type.Array(RegionPoint),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = ctx.clock.now();
      const range = parseRange(q, now, DAY_MS);
      const stepMs = q.step === undefined ? HOUR_MS : parseStep('step', q.step, HOUR_MS);
      if (stepMs % HOUR_MS !== 0)
        throw invalid('step', 'must be a whole number of hours (1h, 6h, 1d …)', q.step);
      const region = q.region ?? null;
      const from = new Date(Math.floor(range.from.getTime() / stepMs) * stepMs);
      // mv_region_hourly holds the hours from (hour of its refresh − 7 days): a window starting
      // at most 7 days ago fits in it, even once snapped down to its hour. mv_region_daily
      // likewise holds the days from (day of its refresh − 31 days).
      const startOfDay = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
      const view =
        stepMs === HOUR_MS && range.from.getTime() >= now.getTime() - VIEW_DAYS * DAY_MS
          ? 'mv_region_hourly'
          : stepMs === DAY_MS && range.from.getTime() >= startOfDay - DAILY_VIEW_DAYS * DAY_MS
            ? 'mv_region_daily'
            : null;
      return runQuery(request, async (c) => {
        if (view) {
          const v = regionViewQuery({ from, to: range.to }, region, view);
          const { rows } = await c.query(v.text, v.values);
          return {
            source: view,
            step_seconds: stepMs / 1000,
            ...fresh(await viewAsOf(c, view)),
            points: rows,
          };
        }
        const table = stepMs % DAY_MS === 0 ? 'metrics_daily' : 'metrics_hourly';
        const r = regionRollupQuery({ from, to: range.to }, stepMs, table, region);
        const { rows } = await c.query(r.text, r.values);
        const asOf = (await stageAsOf(c))[table === 'metrics_daily' ? 'daily' : 'hourly'] ?? null;
        return { source: table, step_seconds: stepMs / 1000, ...fresh(asOf), points: rows };
      });
    },
  );

  app.get<{ Querystring: Static<typeof TopQuery> }>(
    '/api/v1/fleet/top',
    {
      schema: {
        summary: 'Top-N servers by a metric statistic over a window (rollups)',
        tags,
        querystring: TopQuery,
        response: {
          200: Type.Object({
            metric: Type.String(),
            stat: Type.String(),
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
            ...Freshness,
            items: Type.Array(
              Type.Object({
                server_id: Type.Integer(),
                hostname: Type.String(),
                region: Type.String(),
                value: Num,
                samples: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = ctx.clock.now();
      const range = parseRange(q, now, DAY_MS);
      const metric = parseMetric('metric', q.metric ?? 'cpu_usage');
      const stat = (q.stat ?? 'avg') as TopStat;
      if (!(TOP_STATS as readonly string[]).includes(stat))
        throw invalid('stat', `must be one of ${TOP_STATS.join(', ')}`, q.stat);
      if (stat === 'p95' && !hasP95(metric))
        throw invalid('stat', `p95 is kept for cpu_usage and memory_usage only, not ${metric}`);
      const order = q.order ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw invalid('order', 'must be asc or desc', q.order);
      const limit = parseLimit(q.limit, 10, cfg.max_page_size);
      return runQuery(request, async (c) => {
        const t = topQuery(range, metric, stat, limit, q.region ?? null, order);
        const { rows } = await c.query(t.text, t.values);
        const st = { as_of: (await stageAsOf(c)).hourly ?? null };
        return { metric, stat, from: range.from, to: range.to, ...fresh(st?.as_of ?? null), items: rows };
      });
    },
  );

  app.get<{ Querystring: { limit?: number; region?: string } }>(
    '/api/v1/fleet/top-talkers',
    {
      schema: {
        summary: 'Servers moving the most network bytes over the last 24 hours (view)',
        tags,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer()),
          region: Type.Optional(Type.String({ maxLength: 63 })),
        }),
        response: {
          200: Type.Object({
            ...Freshness,
            items: Type.Array(
              Type.Object({
                server_id: Type.Integer(),
                hostname: Type.String(),
                region: Type.String(),
                network_in_bytes: Num,
                network_out_bytes: Num,
                network_bytes: Num,
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const limit = parseLimit(request.query.limit, 10, cfg.max_page_size);
      return runQuery(request, async (c) => {
        const t = topTalkersQuery(limit, request.query.region ?? null);
        const { rows } = await c.query(t.text, t.values);
        return { ...fresh(await viewAsOf(c, 'mv_top_talkers')), items: rows };
      });
    },
  );

  app.get(
    '/api/v1/rollups/status',
    {
      schema: {
        summary: 'Rollup stages and views: last run, as_of, pending dirty buckets',
        tags,
        response: {
          200: Type.Array(
            Type.Object({
              stage: Type.String(),
              as_of: TimeOrNull,
              age_seconds: Type.Union([Type.Integer(), Type.Null()]),
              last_run_at: TimeOrNull,
              last_duration_ms: Type.Union([Type.Integer(), Type.Null()]),
              last_buckets: Type.Integer(),
              runs: Type.Integer(),
              pending_buckets: Type.Integer(),
              oldest_pending: TimeOrNull,
            }),
          ),
        },
      },
    },
    async (request) =>
      runQuery(request, async (c) =>
        (await stageStates(c)).map((s) => ({ ...s, age_seconds: ageSeconds(s.as_of, ctx.clock.now()) })),
      ),
  );
}
