import type { FastifyInstance } from 'fastify';
import { checkSchema } from '../../db/migrator.ts';
import type { ModuleContext } from '../../module.ts';

export async function healthRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and readiness: the database answers and its schema is current',
        tags: ['system'],
        security: [],
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              database: { type: 'string' },
              schema: { type: 'string' },
            },
          },
          503: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              database: { type: 'string' },
              schema: { type: 'string' },
              reason: { type: 'string' },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      try {
        const { pending } = await checkSchema(ctx.pool);
        if (pending.length > 0) {
          return reply.status(503).send({
            status: 'degraded',
            database: 'up',
            schema: 'behind',
            reason: `pending: ${pending.join(', ')}`,
          });
        }
        return { status: 'ok', database: 'up', schema: 'current' };
      } catch (e) {
        return reply
          .status(503)
          .send({ status: 'down', database: 'error', schema: 'unknown', reason: (e as Error).message });
      }
    },
  );
}
