// /api/v1/reports/:kind — the daily or weekly report as JSON, CSV or self-contained HTML.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../module.ts';
import { runQuery } from './tx.ts';
import {
  CONTENT_TYPES,
  makeReport,
  parseFormat,
  renderReport,
  REPORT_FORMATS,
  REPORT_KINDS,
} from '../report/index.ts';
import { tags } from './schemas.ts';

const Query = Type.Object({
  format: Type.Optional(Type.String({ description: `${REPORT_FORMATS.join(', ')} (default json)` })),
  region: Type.Optional(Type.String({ maxLength: 63 })),
  date: Type.Optional(
    Type.String({ description: 'First UTC day of the period, YYYY-MM-DD (default: the last whole period)' }),
  ),
});

export async function reportRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get<{ Params: { kind: string }; Querystring: Static<typeof Query> }>(
    '/api/v1/reports/:kind',
    {
      schema: {
        summary: 'Daily or weekly report: availability, p95 cpu/memory, top offenders, alerts, MTTA/MTTR',
        tags,
        params: Type.Object({ kind: Type.String({ description: REPORT_KINDS.join(' or ') }) }),
        querystring: Query,
      },
    },
    async (request, reply) => {
      const format = parseFormat(request.query.format);
      const report = await runQuery(request, (c) =>
        makeReport(c, {
          kind: request.params.kind,
          date: request.query.date,
          region: request.query.region ?? null,
          now: ctx.clock.now(),
        }),
      );
      const name = `vigil-${report.kind}-${report.from.toISOString().slice(0, 10)}.${format}`;
      return reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `${format === 'json' ? 'inline' : 'attachment'}; filename="${name}"`)
        .send(renderReport(report, format));
    },
  );
}
