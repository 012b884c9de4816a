// /api/v1/logs: error-log search by server, region, severity, source, time and text.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../module.ts';
import { runQuery } from './tx.ts';
import { searchLogs } from '../listing.ts';
import { DAY_MS, invalid, parseLimit, parseRange } from '../params.ts';
import { RangeQuery, tags, Time } from './schemas.ts';

const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

const LogsQuery = Type.Object({
  ...RangeQuery,
  server_id: Type.Optional(Type.Integer({ minimum: 1 })),
  region: Type.Optional(Type.String({ maxLength: 63 })),
  severity: Type.Optional(
    Type.String({
      description: `This severity or worse: 0..7 or ${SEVERITY_NAMES.join(', ')} (e.g. err = 3)`,
    }),
  ),
  source: Type.Optional(Type.String({ maxLength: 255 })),
  q: Type.Optional(Type.String({ description: 'Case-insensitive substring of the message (max 200 chars)' })),
  limit: Type.Optional(Type.Integer({ description: 'Default 100' })),
  cursor: Type.Optional(Type.String()),
});

export function parseSeverity(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^[0-7]$/.test(raw)) return Number(raw);
  const i = SEVERITY_NAMES.indexOf(raw.toLowerCase());
  if (i < 0) throw invalid('severity', `must be 0..7 or one of ${SEVERITY_NAMES.join(', ')}`, raw);
  return i;
}

export async function logRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get<{ Querystring: Static<typeof LogsQuery> }>(
    '/api/v1/logs',
    {
      schema: {
        summary: 'Search error logs (newest first, keyset pagination)',
        tags,
        querystring: LogsQuery,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                server_id: Type.Integer(),
                hostname: Type.String(),
                region: Type.String(),
                ts: Time,
                severity: Type.Integer(),
                source: Type.String(),
                message: Type.String(),
                context: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      // A search spans at most 31 days: text search scans the partitions in range.
      const range = parseRange(q, ctx.clock.now(), DAY_MS, 31 * DAY_MS);
      const limit = parseLimit(q.limit, 100, ctx.config.rollups.max_page_size);
      const maxSeverity = parseSeverity(q.severity);
      return runQuery(request, (c) =>
        searchLogs(c, {
          ...range,
          serverId: q.server_id,
          region: q.region,
          maxSeverity,
          source: q.source,
          q: q.q,
          limit,
          cursor: q.cursor,
        }),
      );
    },
  );
}
