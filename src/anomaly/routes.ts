// /api/v1/anomalies and /api/v1/servers/:id/anomaly-settings. Every handler runs as the
// caller's database role (request.runAs): readonly may read both, and PostgreSQL itself
// refuses a readonly PUT (42501 → 403) through the grants of migration 0060.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound, validationError } from '../core/errors.ts';
import type { ModuleContext } from '../module.ts';
import { getSettings, listAnomalies, putSettings } from './queries.ts';

const tags = ['anomalies'];
const Time = Type.String({ format: 'date-time' });
/** The most rows one request returns: enough for a dashboard, bounded for the database. */
export const MAX_LIMIT = 1000;

const Anomaly = Type.Object({
  id: Type.Integer(),
  server_id: Type.Integer(),
  hostname: Type.String(),
  ts: Time,
  metrics: Type.Array(Type.String(), { description: 'the server_metrics columns that stood out' }),
  score: Type.Number({ minimum: 0, maximum: 1, description: 'calibrated; 0.5 is the alarm level' }),
  method: Type.String({ description: "'combined' for the shipped detector" }),
  explanation: Type.String(),
});

const ListQuery = Type.Object(
  {
    server_id: Type.Optional(Type.Integer({ minimum: 1 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
    min_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: 100 })),
  },
  { additionalProperties: false },
);

const Settings = Type.Object({
  server_id: Type.Integer(),
  sensitivity: Type.Number(),
  muted: Type.Boolean(),
  muted_until: Type.Union([Time, Type.Null()]),
  customised: Type.Boolean({ description: 'false: no settings of its own, the defaults apply' }),
  updated_at: Type.Union([Time, Type.Null()]),
});

const SettingsBody = Type.Object(
  {
    sensitivity: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10,
        description:
          'multiplies the calibrated surprise: 2 alarms on far less extreme events, 0.5 only on rarer ones',
      }),
    ),
    muted: Type.Optional(Type.Boolean({ description: 'scored but no anomalies rows' })),
    muted_until: Type.Optional(
      Type.Union([Time, Type.Null()], { description: 'muted until then (maintenance); null clears' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function anomalyRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const defaultSensitivity = ctx.config.anomaly.sensitivity;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/anomalies',
    {
      schema: {
        summary: `Anomalies, newest first (at most ${MAX_LIMIT} per request)`,
        tags,
        querystring: ListQuery,
        response: { 200: Type.Array(Anomaly) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.from ? new Date(q.from) : null;
      const to = q.to ? new Date(q.to) : null;
      if (from && to && from >= to) {
        throw validationError('from must be before to', [
          { field: 'from', reason: `must be before to (${q.to})` },
        ]);
      }
      return request.runAs((c) =>
        listAnomalies(c, {
          serverId: q.server_id ?? null,
          from,
          to,
          minScore: q.min_score ?? null,
          limit: q.limit ?? 100,
        }),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/servers/:id/anomaly-settings',
    {
      schema: {
        summary: "A server's anomaly sensitivity and mute (the defaults if never set)",
        tags,
        params: IdParams,
        response: { 200: Settings },
      },
    },
    async (request) =>
      request.runAs(async (c) => {
        const s = await getSettings(c, request.params.id, defaultSensitivity);
        if (!s) throw notFound(`server ${request.params.id}`);
        return s;
      }),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof SettingsBody> }>(
    '/api/v1/servers/:id/anomaly-settings',
    {
      schema: {
        summary: 'Set sensitivity and mute of a server (devops, admin); fields left out keep their value',
        tags,
        params: IdParams,
        body: SettingsBody,
        response: { 200: Settings },
      },
    },
    async (request) => {
      const b = request.body;
      return request.runAs(async (c) => {
        const id = request.params.id;
        if (!(await getSettings(c, id, defaultSensitivity))) throw notFound(`server ${id}`);
        await putSettings(
          c,
          id,
          {
            sensitivity: b.sensitivity,
            muted: b.muted,
            muted_until:
              b.muted_until === undefined
                ? undefined
                : b.muted_until === null
                  ? null
                  : new Date(b.muted_until),
          },
          defaultSensitivity,
        );
        return (await getSettings(c, id, defaultSensitivity))!;
      });
    },
  );
}
