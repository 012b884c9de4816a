// /api/v1/servers (list with filters and keyset pagination) and /api/v1/servers/:id/series.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { ModuleContext } from '../../module.ts';
import { runQuery } from './tx.ts';
import { METRICS } from '../columns.ts';
import { listServers, SERVER_SORTS, type ServerSort } from '../listing.ts';
import { ageSeconds, DAY_MS, invalid, parseLimit, parseMetrics, parseRange, parseStep } from '../params.ts';
import { stageAsOf } from '../queries.ts';
import { chooseResolution, defaultStep, planTiers, querySeries, RESOLUTIONS, shapePoint } from '../series.ts';
import { Freshness, RangeQuery, ServerOut, Stat, tags, Time } from './schemas.ts';

const ListQuery = Type.Object({
  region: Type.Optional(Type.String({ maxLength: 63 })),
  environment: Type.Optional(Type.String({ maxLength: 63 })),
  q: Type.Optional(Type.String({ maxLength: 253, description: 'Substring of the hostname' })),
  label: Type.Optional(Type.String({ description: 'key=value; repeat the parameter for several' })),
  sort: Type.Optional(Type.String({ description: `One of ${Object.keys(SERVER_SORTS).join(', ')}` })),
  order: Type.Optional(Type.String({ description: 'asc (default) or desc' })),
  limit: Type.Optional(Type.Integer({ description: 'Page size (default 100)' })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
});

const SeriesQuery = Type.Object({
  ...RangeQuery,
  step: Type.Optional(Type.String({ description: 'Bucket width: 60s, 5m, 1h, 1d … (default: ~500 points)' })),
  metrics: Type.Optional(
    Type.String({
      description: `Comma-separated; default cpu_usage,memory_usage,disk_usage. Known: ${METRICS.join(', ')}`,
    }),
  ),
  resolution: Type.Optional(Type.String({ description: 'auto (default), raw, hourly or daily' })),
});

export async function serverRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const cfg = ctx.config.rollups;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/servers',
    {
      schema: {
        summary: 'Servers, filtered and sorted, with stable keyset pagination',
        tags,
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(ServerOut),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const sort = (q.sort ?? 'hostname') as ServerSort;
      if (!(sort in SERVER_SORTS))
        throw invalid('sort', `must be one of ${Object.keys(SERVER_SORTS).join(', ')}`, q.sort);
      const order = q.order ?? 'asc';
      if (order !== 'asc' && order !== 'desc') throw invalid('order', 'must be asc or desc', q.order);
      const label: Record<string, string> = {};
      for (const l of q.label === undefined ? [] : [q.label].flat()) {
        const m = /^([^=]{1,100})=(.{0,200})$/.exec(l);
        if (!m) throw invalid('label', 'must be key=value', l);
        label[m[1] as string] = m[2] as string;
      }
      const limit = parseLimit(q.limit, 100, cfg.max_page_size);
      return runQuery(request, (c) => listServers(c, { ...q, label, sort, order, limit, cursor: q.cursor }));
    },
  );

  app.get<{ Params: { id: number }; Querystring: Static<typeof SeriesQuery> }>(
    '/api/v1/servers/:id/series',
    {
      schema: {
        summary: 'Time series of one server; raw, hourly or daily chosen from range and step',
        tags,
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: SeriesQuery,
        response: {
          200: Type.Object({
            server_id: Type.Integer(),
            hostname: Type.String(),
            resolution: Type.String(),
            step_seconds: Type.Integer(),
            from: Time,
            to: Time,
            metrics: Type.Array(Type.String()),
            sources: Type.Array(Type.Object({ source: Type.String(), from: Time, to: Time })),
            ...Freshness,
            points: Type.Array(
              Type.Object({ ts: Time, samples: Type.Integer() }, { additionalProperties: Stat }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = ctx.clock.now();
      const range = parseRange(q, now, DAY_MS);
      const stepMs = q.step === undefined ? defaultStep(range) : parseStep('step', q.step);
      const requested = q.resolution ?? 'auto';
      if (!(RESOLUTIONS as readonly string[]).includes(requested))
        throw invalid('resolution', `must be one of ${RESOLUTIONS.join(', ')}`, requested);
      const resolution = chooseResolution(stepMs, requested as (typeof RESOLUTIONS)[number]);
      const metrics = parseMetrics(q.metrics, ['cpu_usage', 'memory_usage', 'disk_usage']);
      // Snap from down to the step grid (from the epoch) so every bucket is whole.
      const from = new Date(Math.floor(range.from.getTime() / stepMs) * stepMs);
      const points = Math.ceil((range.to.getTime() - from.getTime()) / stepMs);
      if (points > cfg.max_points)
        throw invalid(
          'step',
          `gives ${points} points for this range; at most ${cfg.max_points} (use a larger step)`,
        );
      return runQuery(request, async (c) => {
        const { rows } = await c.query<{ hostname: string }>(
          'SELECT hostname FROM vigil.servers WHERE id = $1',
          [request.params.id],
        );
        if (!rows[0]) throw notFound(`server ${request.params.id}`);
        const states = await stageAsOf(c);
        const asOf = (stage: 'hourly' | 'daily') => states[stage] ?? null;
        const tiers = planTiers({ from, to: range.to }, resolution, asOf('hourly'), asOf('daily'));
        const data = await querySeries(c, request.params.id, stepMs, resolution, tiers, metrics);
        const rollupAsOf = resolution === 'raw' ? now : asOf('hourly');
        return {
          server_id: request.params.id,
          hostname: rows[0].hostname,
          resolution,
          step_seconds: stepMs / 1000,
          from,
          to: range.to,
          metrics,
          sources: tiers,
          as_of: rollupAsOf,
          age_seconds: ageSeconds(rollupAsOf, now),
          points: data.map((r) => shapePoint(r, metrics)),
        };
      });
    },
  );
}
