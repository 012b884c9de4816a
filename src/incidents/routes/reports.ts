// /api/v1/reports/incidents: MTTA, MTTR and counts per severity, region and week. Computed from
// vigil.incidents only, which every role may read, so readonly (managers) gets reports too.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { incidentReport, reportWindow } from '../report.ts';
import type { IncidentService } from '../service.ts';
import { ReportQuery } from './schemas.ts';

const Num = Type.Union([Type.Number(), Type.Null()]);
const Bucket = {
  incidents: Type.Integer(),
  acknowledged: Type.Integer(),
  resolved: Type.Integer(),
  open: Type.Integer(),
  mtta_seconds: Num,
  mtta_p50_seconds: Num,
  mttr_seconds: Num,
  mttr_p50_seconds: Num,
};
const Report = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  total: Type.Object(Bucket),
  by_severity: Type.Array(Type.Object({ severity: Type.String(), ...Bucket })),
  by_region: Type.Array(Type.Object({ region: Type.String(), ...Bucket })),
  by_week: Type.Array(Type.Object({ week: Type.String({ format: 'date' }), ...Bucket })),
});

export async function reportRoutes(app: FastifyInstance, service: IncidentService): Promise<void> {
  app.get<{ Querystring: Static<typeof ReportQuery> }>(
    '/api/v1/reports/incidents',
    {
      schema: {
        summary: 'Incident report over [from, to) (default: the last 30 days): MTTA, MTTR, counts',
        tags: ['incidents', 'reports'],
        querystring: ReportQuery,
        response: { 200: Report },
      },
    },
    async (request) => {
      const [from, to] = reportWindow(service.ctx.clock.now(), request.query);
      return request.runAs((c) => incidentReport(c, from, to));
    },
  );
}
