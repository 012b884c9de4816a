// /api/v1/alerts/rules: CRUD (admin), YAML export and apply (config as code).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import type { ModuleContext } from '../../module.ts';
import { getRule, listRules } from '../queries-rules.ts';
import {
  applyRulesYaml,
  createRule,
  describeRules,
  exportRulesYaml,
  removeRule,
  replaceRule,
} from '../rules.ts';

const tags = ['alert rules'];
const Duration = Type.Union([Type.String({ examples: ['5m'] }), Type.Integer({ minimum: 0 })], {
  description: 'a duration such as 30s, 5m, 1h, or seconds',
});
// Documents the shape; src/alerts/rule-spec.ts checks it fully and names every bad field.
export const RuleBody = Type.Object(
  {
    name: Type.String({ examples: ['high_cpu'] }),
    description: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean()),
    source: Type.Optional(
      Type.Union([Type.Literal('server_metrics'), Type.Literal('series'), Type.Literal('anomaly')]),
    ),
    metric: Type.Optional(Type.String({ examples: ['cpu_usage'] })),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'series label matchers' }),
    ),
    aggregation: Type.Optional(Type.String({ examples: ['avg', 'max', 'min', 'last', 'p95'] })),
    window: Type.Optional(Duration),
    operator: Type.Optional(Type.String({ examples: ['>', '>=', '<', '<=', '==', '!='] })),
    threshold: Type.Number(),
    clear_threshold: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    for: Type.Optional(Duration),
    for_points: Type.Optional(Type.Integer({ minimum: 1 })),
    keep_firing_for: Type.Optional(Duration),
    no_data: Type.Optional(Type.Union([Duration, Type.Null()])),
    severity: Type.Optional(Type.String({ examples: ['critical', 'warning', 'info'] })),
    scope: Type.Optional(
      Type.Object({
        region: Type.Optional(Type.String()),
        server: Type.Optional(Type.String({ description: 'hostname' })),
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
    channels: Type.Optional(Type.Array(Type.String())),
    runbook_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: true },
);
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const WriteQuery = Type.Object({
  allow_empty: Type.Optional(
    Type.Boolean({ description: 'accept a scope or series that matches nothing yet' }),
  ),
});
const ApplyBody = Type.Object(
  { yaml: Type.String(), prune: Type.Optional(Type.Boolean()), dry_run: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export async function ruleRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get('/api/v1/alerts/rules', { schema: { summary: 'List alert rules', tags } }, async (request) =>
    request.runAs(async (c) => describeRules(c, await listRules(c))),
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/rules/:id',
    { schema: { summary: 'One alert rule', tags, params: Id } },
    async (request) =>
      request.runAs(async (c) => {
        const r = await getRule(c, request.params.id);
        if (!r) throw notFound(`rule ${request.params.id}`);
        return (await describeRules(c, [r]))[0];
      }),
  );

  app.post<{ Body: Static<typeof RuleBody>; Querystring: Static<typeof WriteQuery> }>(
    '/api/v1/alerts/rules',
    { schema: { summary: 'Create an alert rule (admin)', tags, body: RuleBody, querystring: WriteQuery } },
    async (request, reply) => {
      const p = request.requirePrincipal();
      const out = await request.runAs(async (c) => {
        const r = await createRule(c, request.body, {
          allowEmpty: request.query.allow_empty,
          now: ctx.clock.now(),
          userId: p.userId,
        });
        return (await describeRules(c, [r]))[0];
      });
      return reply.status(201).send(out);
    },
  );

  app.put<{
    Params: Static<typeof Id>;
    Body: Static<typeof RuleBody>;
    Querystring: Static<typeof WriteQuery>;
  }>(
    '/api/v1/alerts/rules/:id',
    {
      schema: {
        summary: 'Replace an alert rule (admin)',
        tags,
        params: Id,
        body: RuleBody,
        querystring: WriteQuery,
      },
    },
    async (request) =>
      request.runAs(async (c) => {
        const r = await replaceRule(c, request.params.id, request.body, {
          allowEmpty: request.query.allow_empty,
          now: ctx.clock.now(),
        });
        return (await describeRules(c, [r]))[0];
      }),
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/rules/:id',
    { schema: { summary: 'Delete an alert rule and its history (admin)', tags, params: Id } },
    async (request, reply) => {
      await request.runAs((c) => removeRule(c, request.params.id));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/alerts/rules.yaml',
    { schema: { summary: 'Export every rule as YAML', tags } },
    async (request, reply) => {
      const text = await request.runAs((c) => exportRulesYaml(c));
      return reply.type('application/yaml; charset=utf-8').send(text);
    },
  );

  app.post<{ Body: Static<typeof ApplyBody>; Querystring: Static<typeof WriteQuery> }>(
    '/api/v1/alerts/rules/apply',
    {
      schema: {
        summary: 'Apply a YAML rules file: create and update by name; prune deletes rules not in it (admin)',
        tags,
        body: ApplyBody,
        querystring: WriteQuery,
      },
    },
    async (request) => {
      const p = request.requirePrincipal();
      return request.runAs((c) =>
        applyRulesYaml(c, request.body.yaml, {
          prune: request.body.prune,
          dryRun: request.body.dry_run,
          allowEmpty: request.query.allow_empty,
          now: ctx.clock.now(),
          userId: p.userId,
        }),
      );
    },
  );
}
