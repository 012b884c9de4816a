// /api/v1/alerts/silences and /api/v1/alerts/maintenance (devops and admin write; readonly reads).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../core/duration.ts';
import { notFound, validationError } from '../../core/errors.ts';
import type { ModuleContext } from '../../module.ts';
import { parseMatchers } from '../matchers.ts';
import { parseMaintenance, windowOpen } from '../muting.ts';
import { serverIdsByHostname } from '../queries-rules.ts';
import {
  deleteMaintenance,
  expireSilence,
  insertMaintenance,
  insertSilence,
  listMaintenance,
  listSilences,
} from '../queries-muting.ts';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const SilenceBody = Type.Object(
  {
    matchers: Type.Array(
      Type.Union([
        Type.String({ examples: ['alertname="high_cpu"', 'region=~"eu-.*"'] }),
        Type.Object({ name: Type.String(), op: Type.Optional(Type.String()), value: Type.String() }),
      ]),
      { minItems: 1 },
    ),
    starts_at: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })),
    ends_at: Type.Optional(Type.String({ format: 'date-time' })),
    duration: Type.Optional(Type.String({ examples: ['2h'], description: 'instead of ends_at' })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const WindowBody = Type.Object(
  {
    name: Type.String(),
    cron: Type.Optional(Type.String({ examples: ['0 2 * * sat'] })),
    weekly: Type.Optional(
      Type.Object({ days: Type.Array(Type.String()), start: Type.String({ examples: ['02:00'] }) }),
    ),
    duration: Type.Union([Type.String({ examples: ['4h'] }), Type.Integer()]),
    timezone: Type.Optional(Type.String({ examples: ['Europe/Berlin'] })),
    scope: Type.Optional(
      Type.Object({
        region: Type.Optional(Type.String()),
        servers: Type.Optional(Type.Array(Type.String(), { description: 'hostnames' })),
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
    active_from: Type.Optional(Type.String({ format: 'date-time' })),
    active_until: Type.Optional(Type.String({ format: 'date-time' })),
    enabled: Type.Optional(Type.Boolean()),
    comment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const All = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'include expired silences' })) });

export async function silenceRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get<{ Querystring: Static<typeof All> }>(
    '/api/v1/alerts/silences',
    {
      schema: {
        summary: 'Active and future silences (all=true: also expired)',
        tags: ['silences'],
        querystring: All,
      },
    },
    (request) => request.runAs((c) => listSilences(c, ctx.clock.now(), request.query.all ?? false)),
  );

  app.post<{ Body: Static<typeof SilenceBody> }>(
    '/api/v1/alerts/silences',
    {
      schema: {
        summary: 'Silence alerts matching labels until a time (devops)',
        tags: ['silences'],
        body: SilenceBody,
      },
    },
    async (request, reply) => {
      const b = request.body;
      const matchers = parseMatchers(b.matchers);
      const now = ctx.clock.now();
      const starts = b.starts_at ? new Date(b.starts_at) : now;
      let ends: Date | null = b.ends_at ? new Date(b.ends_at) : null;
      if (b.duration !== undefined) {
        const ms = parseDuration(b.duration);
        if (ms === null || ms <= 0)
          throw validationError(`duration must be like 30m or 2h (got "${b.duration}")`);
        if (ends) throw validationError('give ends_at or duration, not both');
        ends = new Date(starts.getTime() + ms);
      }
      if (!ends) throw validationError('a silence needs ends_at or duration: silences always expire');
      if (ends <= starts) throw validationError('ends_at must be after starts_at');
      if (ends <= now) throw validationError('ends_at is in the past: the silence would never be active');
      const p = request.requirePrincipal();
      const row = await request.runAs((c) =>
        insertSilence(c, {
          matchers,
          starts_at: starts,
          ends_at: ends,
          comment: b.comment ?? '',
          created_by: p.userId,
        }),
      );
      return reply.status(201).send(row);
    },
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/silences/:id',
    {
      schema: {
        summary: 'Expire a silence now (devops); it stays listed with all=true',
        tags: ['silences'],
        params: Id,
      },
    },
    async (request, reply) => {
      if (!(await request.runAs((c) => expireSilence(c, request.params.id, ctx.clock.now()))))
        throw notFound(`active silence ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  const tags = ['maintenance windows'];
  app.get(
    '/api/v1/alerts/maintenance',
    { schema: { summary: 'Maintenance windows, with open_now', tags } },
    async (request) => {
      const now = ctx.clock.now();
      const rows = await request.runAs((c) => listMaintenance(c));
      return rows.map((w) => ({ ...w, open_now: windowOpen(w, now) }));
    },
  );

  app.post<{ Body: Static<typeof WindowBody> }>(
    '/api/v1/alerts/maintenance',
    { schema: { summary: 'Create a recurring maintenance window (devops)', tags, body: WindowBody } },
    async (request, reply) => {
      const spec = parseMaintenance(request.body);
      const p = request.requirePrincipal();
      const row = await request.runAs(async (c) => {
        const ids = await serverIdsByHostname(c, spec.scope_servers);
        const missing = spec.scope_servers.filter((h) => !ids.has(h));
        if (missing.length)
          throw validationError(`scope.servers: no server with hostname ${missing.join(', ')}`);
        const { scope_servers: _s, ...rest } = spec;
        return insertMaintenance(c, { ...rest, scope_server_ids: [...ids.values()], created_by: p.userId });
      });
      return reply.status(201).send({ ...row, open_now: windowOpen(row, ctx.clock.now()) });
    },
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/maintenance/:id',
    { schema: { summary: 'Delete a maintenance window (devops)', tags, params: Id } },
    async (request, reply) => {
      if (!(await request.runAs((c) => deleteMaintenance(c, request.params.id))))
        throw notFound(`maintenance window ${request.params.id}`);
      return reply.status(204).send();
    },
  );
}
