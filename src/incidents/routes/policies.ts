// /api/v1/escalation-policies: admin writes (PUT creates or replaces, so a policy can live in
// version control and be applied again unchanged), devops reads, readonly gets 403.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import { type PolicyBodyInput, toPolicyInput } from '../policies.ts';
import { deletePolicy, getPolicy, listPolicies, upsertPolicy } from '../queries.ts';
import type { IncidentService } from '../service.ts';
import { NameParams, PolicyBody } from './schemas.ts';

const tags = ['escalation policies'];
type Name = { Params: Static<typeof NameParams> };

const PolicyOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  repeat_count: Type.Integer(),
  stop_on_ack: Type.Boolean(),
  is_default: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  steps: Type.Array(
    Type.Object({
      notify_user_id: Type.Union([Type.Integer(), Type.Null()]),
      notify_user: Type.Union([Type.String(), Type.Null()]),
      channels: Type.Array(Type.String()),
      wait_minutes: Type.Integer(),
    }),
  ),
});

export async function policyRoutes(app: FastifyInstance, service: IncidentService): Promise<void> {
  app.get(
    '/api/v1/escalation-policies',
    {
      schema: {
        summary: 'List escalation policies (devops, admin)',
        tags,
        response: { 200: Type.Array(PolicyOut) },
      },
    },
    async (request) => request.runAs((c) => listPolicies(c)),
  );

  app.get<Name>(
    '/api/v1/escalation-policies/:name',
    { schema: { summary: 'One escalation policy', tags, params: NameParams, response: { 200: PolicyOut } } },
    async (request) =>
      request.runAs(async (c) => {
        const p = await getPolicy(c, { name: request.params.name });
        if (!p) throw notFound(`escalation policy "${request.params.name}"`);
        return p;
      }),
  );

  app.put<Name & { Body: Static<typeof PolicyBody> }>(
    '/api/v1/escalation-policies/:name',
    {
      schema: {
        summary: 'Create or replace an escalation policy (admin)',
        tags,
        params: NameParams,
        body: PolicyBody,
        response: { 200: PolicyOut, 201: PolicyOut },
      },
    },
    async (request, reply) => {
      const now = service.ctx.clock.now();
      const { created, policy } = await request.runAs(async (c) => {
        const input = await toPolicyInput(c, request.params.name, request.body as PolicyBodyInput);
        const { id, created } = await upsertPolicy(c, input, now);
        return { created, policy: await getPolicy(c, { id }) };
      });
      return reply.status(created ? 201 : 200).send(policy);
    },
  );

  app.delete<Name>(
    '/api/v1/escalation-policies/:name',
    {
      schema: {
        summary: 'Delete an escalation policy (admin); incidents using it stop escalating',
        tags,
        params: NameParams,
      },
    },
    async (request, reply) => {
      const deleted = await request.runAs((c) => deletePolicy(c, request.params.name));
      if (!deleted) throw notFound(`escalation policy "${request.params.name}"`);
      return reply.status(204).send();
    },
  );
}
