// /api/v1/incidents/:id/postmortem: a structured note on a resolved incident, and its Markdown
// export (GET …/postmortem.md). Like the timeline it draws from, devops and admin only.
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError, notFound } from '../../core/errors.ts';
import { normalizeActionItems, postmortemMarkdown } from '../postmortem.ts';
import {
  getIncident,
  getPostmortem,
  insertLogs,
  linkedAlerts,
  listLogs,
  upsertPostmortem,
} from '../queries.ts';
import type { IncidentService } from '../service.ts';
import { IdParams, PostmortemBody } from './schemas.ts';

const tags = ['incidents'];
type Id = { Params: Static<typeof IdParams> };

export async function postmortemRoutes(app: FastifyInstance, service: IncidentService): Promise<void> {
  const { clock } = service.ctx;

  app.get<Id>(
    '/api/v1/incidents/:id/postmortem',
    { schema: { summary: "An incident's postmortem (404 until written)", tags, params: IdParams } },
    async (request) =>
      request.runAs(async (c) => {
        const pm = await getPostmortem(c, request.params.id);
        if (!pm) throw notFound(`postmortem of incident ${request.params.id}`);
        return pm;
      }),
  );

  app.put<Id & { Body: Static<typeof PostmortemBody> }>(
    '/api/v1/incidents/:id/postmortem',
    {
      schema: {
        summary: 'Write or replace the postmortem of a resolved incident (devops, admin)',
        tags,
        params: IdParams,
        body: PostmortemBody,
      },
    },
    async (request, reply) => {
      const actor = request.requirePrincipal().userId;
      const id = request.params.id;
      const b = request.body;
      const input = {
        summary: b.summary ?? '',
        impact: b.impact ?? '',
        root_cause: b.root_cause ?? '',
        action_items: normalizeActionItems(b.action_items ?? []),
      };
      const now = clock.now();
      const saved = await request.runAs(async (c) => {
        const result = await upsertPostmortem(c, id, input, actor, now);
        if (!result) {
          const incident = await getIncident(c, id);
          if (!incident) throw notFound(`incident ${id}`);
          throw new AppError(
            'CONFLICT',
            `a postmortem is written once incident ${id} is resolved; it is ${incident.status}`,
            { details: { incident_id: id, status: incident.status } },
          );
        }
        await insertLogs(c, [
          {
            incidentId: id,
            ts: now,
            actor,
            action: 'postmortem_updated',
            details: { created: result.created, action_items: input.action_items.length },
          },
        ]);
        return result;
      });
      return reply.status(saved.created ? 201 : 200).send(saved.row);
    },
  );

  app.get<Id>(
    '/api/v1/incidents/:id/postmortem.md',
    {
      schema: {
        summary: 'The postmortem as Markdown: metadata, summary, impact, root cause, timeline, action items',
        tags,
        params: IdParams,
        produces: ['text/markdown'],
      },
    },
    async (request, reply) => {
      const md = await request.runAs(async (c) => {
        const incident = await getIncident(c, request.params.id);
        if (!incident) throw notFound(`incident ${request.params.id}`);
        const [pm, timeline, alerts] = [
          await getPostmortem(c, incident.id),
          await listLogs(c, incident.id),
          await linkedAlerts(c, incident.id),
        ];
        return postmortemMarkdown(incident, pm, timeline, alerts);
      });
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `inline; filename="incident-${request.params.id}-postmortem.md"`)
        .send(md);
    },
  );
}
