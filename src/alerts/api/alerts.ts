// /api/v1/alerts: alert episodes (list with filters, one with its state changes, acknowledge).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { ModuleContext } from '../../module.ts';
import { acknowledgeAlert, getAlert, listAlerts } from '../queries-alerts.ts';

const tags = ['alerts'];
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Filter = Type.Object({
  state: Type.Optional(
    Type.Union([
      Type.Literal('open'),
      Type.Literal('pending'),
      Type.Literal('firing'),
      Type.Literal('resolved'),
    ]),
  ),
  severity: Type.Optional(
    Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
  ),
  rule: Type.Optional(Type.String({ description: 'rule name' })),
  server: Type.Optional(Type.String({ description: 'hostname' })),
  region: Type.Optional(Type.String()),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after' })),
  acknowledged: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before_id: Type.Optional(Type.Integer({ minimum: 1, description: 'page: ids below this one' })),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const AlertOut = Type.Object({
  id: Type.Integer(),
  rule_id: Type.Integer(),
  rule: Type.String(),
  server_id: Type.Integer(),
  hostname: Type.String(),
  region: Type.String(),
  state: Type.String(),
  reason: Type.String(),
  severity: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  fired_at: Nullable(Type.String({ format: 'date-time' })),
  resolved_at: Nullable(Type.String({ format: 'date-time' })),
  peak_value: Type.Union([Type.Number(), Type.Null()]),
  last_value: Type.Union([Type.Number(), Type.Null()]),
  acknowledged_by: Nullable(Type.String()),
  acknowledged_at: Nullable(Type.String({ format: 'date-time' })),
  muted_since: Nullable(Type.String({ format: 'date-time' })),
  incident_id: Type.Union([Type.Integer(), Type.Null()]),
  state_changes: Type.Optional(Type.Array(Type.Unknown())),
});

export async function alertRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get<{ Querystring: Static<typeof Filter> }>(
    '/api/v1/alerts',
    {
      schema: {
        summary: 'Alert episodes, newest first, filtered',
        tags,
        querystring: Filter,
        response: { 200: Type.Array(AlertOut) },
      },
    },
    async (request) => {
      const q = request.query;
      return request.runAs((c) =>
        listAlerts(c, {
          state: q.state,
          severity: q.severity,
          rule: q.rule,
          server: q.server,
          region: q.region,
          since: q.since ? new Date(q.since) : undefined,
          acknowledged: q.acknowledged,
          limit: q.limit ?? 100,
          beforeId: q.before_id,
        }),
      );
    },
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/:id',
    {
      schema: {
        summary: 'One alert episode with its state changes',
        tags,
        params: Id,
        response: { 200: AlertOut },
      },
    },
    async (request) => {
      const a = await request.runAs((c) => getAlert(c, request.params.id));
      if (!a) throw notFound(`alert ${request.params.id}`);
      return a;
    },
  );

  app.post<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/:id/ack',
    {
      schema: {
        summary: 'Acknowledge an alert (devops): no more repeat notifications for it',
        tags,
        params: Id,
        response: { 200: AlertOut },
      },
    },
    async (request) => {
      const p = request.requirePrincipal();
      return request.runAs(async (c) => {
        if (!(await acknowledgeAlert(c, request.params.id, p.userId, ctx.clock.now())))
          throw notFound(`alert ${request.params.id}`);
        return getAlert(c, request.params.id);
      });
    },
  );
}
