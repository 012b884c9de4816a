// /api/v1/incidents: list, open, read, edit, acknowledge, resolve, reopen, annotate, timeline.
// Every handler runs as the caller's database role (request.runAs): readonly may read
// incidents but gets 403 from PostgreSQL for the timeline and for any change.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../core/errors.ts';
import {
  annotate,
  type CreateInput,
  createIncident,
  editIncident,
  type Runner,
  transition,
} from '../lifecycle.ts';
import { describeLog } from '../postmortem.ts';
import { getIncident, linkedAlerts, listIncidents, listLogs } from '../queries.ts';
import type { IncidentService } from '../service.ts';
import type { Transition } from '../state-machine.ts';
import type { IncidentStatus, Severity } from '../types.ts';
import {
  CreateIncident,
  IdParams,
  Incident,
  IncidentDetail,
  ListQuery,
  LogEntry,
  NoteBody,
  RunbookStepBody,
  TransitionBody,
  UpdateIncident,
} from './schemas.ts';

const tags = ['incidents'];
type Id = { Params: Static<typeof IdParams> };
/** Bodies that may be left out entirely (curl -X POST …/acknowledge). */
const emptyBodyIsObject = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

export const runnerOf =
  (request: FastifyRequest): Runner =>
  (fn) =>
    request.runAs(fn);

export async function incidentRoutes(app: FastifyInstance, service: IncidentService): Promise<void> {
  const { clock } = service.ctx;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/incidents',
    {
      schema: {
        summary: 'List incidents, newest first (status=open means triggered or acknowledged)',
        tags,
        querystring: ListQuery,
        response: { 200: Type.Array(Incident) },
      },
    },
    async (request) => {
      const q = request.query;
      const statuses = q.status
        ? [
            ...new Set(
              q.status.split(',').flatMap((s) => (s === 'open' ? ['triggered', 'acknowledged'] : [s])),
            ),
          ]
        : null;
      return request.runAs((c) =>
        listIncidents(c, {
          statuses: statuses as IncidentStatus[] | null,
          severity: (q.severity as Severity | undefined) ?? null,
          region: q.region ?? null,
          beforeId: q.before ?? null,
          limit: q.limit ?? 50,
        }),
      );
    },
  );

  app.post<{ Body: Static<typeof CreateIncident> }>(
    '/api/v1/incidents',
    {
      schema: {
        summary: 'Open an incident by hand (devops, admin)',
        tags,
        body: CreateIncident,
        response: { 201: Incident },
      },
    },
    async (request, reply) => {
      const actor = request.requirePrincipal().userId;
      const incident = await request.runAs((c) =>
        createIncident(c, request.body as CreateInput, actor, clock.now()),
      );
      service.changed(incident);
      return reply.status(201).send(incident);
    },
  );

  app.get<Id>(
    '/api/v1/incidents/:id',
    {
      schema: {
        summary: 'An incident with its linked alerts',
        tags,
        params: IdParams,
        response: { 200: IncidentDetail },
      },
    },
    async (request) =>
      request.runAs(async (c) => {
        const incident = await getIncident(c, request.params.id);
        if (!incident) throw notFound(`incident ${request.params.id}`);
        return { ...incident, alerts: await linkedAlerts(c, incident.id) };
      }),
  );

  app.patch<Id & { Body: Static<typeof UpdateIncident> }>(
    '/api/v1/incidents/:id',
    {
      schema: {
        summary: 'Edit title, summary, severity, assignee or escalation policy (devops, admin)',
        tags,
        params: IdParams,
        body: UpdateIncident,
        response: { 200: Incident },
      },
    },
    async (request) => {
      const actor = request.requirePrincipal().userId;
      const incident = await request.runAs((c) =>
        editIncident(c, request.params.id, request.body, actor, clock.now()),
      );
      service.changed(incident);
      return incident;
    },
  );

  const transitions: [Transition, string][] = [
    ['acknowledge', 'Acknowledge a triggered incident: stops its escalation (409 if someone already did)'],
    ['resolve', 'Resolve a triggered or acknowledged incident'],
    ['reopen', 'Reopen a resolved incident: triggered again, escalation starts over'],
  ];
  for (const [t, summary] of transitions) {
    app.post<Id & { Body: Static<typeof TransitionBody> }>(
      `/api/v1/incidents/:id/${t}`,
      {
        preValidation: emptyBodyIsObject,
        schema: { summary, tags, params: IdParams, body: TransitionBody, response: { 200: Incident } },
      },
      async (request) => {
        const actor = request.requirePrincipal().userId;
        const incident = await request.runAs((c) =>
          transition(c, request.params.id, t, actor, clock.now(), request.body.note),
        );
        service.changed(incident);
        return incident;
      },
    );
  }

  app.post<Id & { Body: Static<typeof NoteBody> }>(
    '/api/v1/incidents/:id/notes',
    {
      schema: {
        summary: 'Add a note to the timeline (devops, admin)',
        tags,
        params: IdParams,
        body: NoteBody,
      },
    },
    async (request, reply) => {
      const actor = request.requirePrincipal().userId;
      const id = await request.runAs((c) =>
        annotate(c, request.params.id, 'note_added', { text: request.body.text }, actor, clock.now()),
      );
      return reply.status(201).send({ id });
    },
  );

  app.post<Id & { Body: Static<typeof RunbookStepBody> }>(
    '/api/v1/incidents/:id/runbook-steps',
    {
      schema: {
        summary: 'Record a runbook step as done (devops, admin)',
        tags,
        params: IdParams,
        body: RunbookStepBody,
      },
    },
    async (request, reply) => {
      const actor = request.requirePrincipal().userId;
      const id = await request.runAs((c) =>
        annotate(c, request.params.id, 'runbook_step_done', { ...request.body }, actor, clock.now()),
      );
      return reply.status(201).send({ id });
    },
  );

  app.get<Id>(
    '/api/v1/incidents/:id/timeline',
    {
      schema: {
        summary: 'The append-only response timeline (devops, admin; readonly gets 403)',
        tags,
        params: IdParams,
        response: { 200: Type.Array(LogEntry) },
      },
    },
    async (request) =>
      request.runAs(async (c) => {
        const logs = await listLogs(c, request.params.id);
        if (logs.length === 0 && !(await getIncident(c, request.params.id))) {
          throw notFound(`incident ${request.params.id}`);
        }
        return logs.map((l) => ({ ...l, text: describeLog(l) }));
      }),
  );
}
