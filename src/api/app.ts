// Builds the fastify app: OpenAPI, the one error handler, authentication, the foundation's own
// routes, then every module's routes. Not listening: main.ts listens, tests use app.inject().
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ModuleContext, StartedModule } from '../module.ts';
import { registerAuth } from './auth.ts';
import { registerErrorHandler } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { selfMetricsRoutes } from './routes/self-metrics.ts';
import { userRoutes } from './routes/users.ts';

export const API_VERSION = '0.1.0';

export async function buildApp(ctx: ModuleContext, modules: StartedModule[] = []): Promise<FastifyInstance> {
  const { tls_cert_file: cert, tls_key_file: key } = ctx.config.server;
  const app = Fastify({
    ...(cert && key ? { https: { cert: readFileSync(cert), key: readFileSync(key) } } : {}),
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.server.max_body_bytes,
    // One log line per request would drown the log at ingest rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }) as unknown as FastifyInstance;
  await app.register(swagger, {
    openapi: {
      info: { title: 'Vigil API', version: API_VERSION, description: 'Server monitoring on PostgreSQL.' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
      security: [{ token: [] }],
    },
  });
  registerErrorHandler(app);
  registerAuth(app, ctx);
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await healthRoutes(app, ctx);
  await selfMetricsRoutes(app);
  await userRoutes(app, ctx);
  for (const m of modules) await m.routes?.(app);
  return app;
}
