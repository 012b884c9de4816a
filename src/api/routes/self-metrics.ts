// Vigil's own metrics in Prometheus format at /metrics (process, event loop, HTTP latency).
import type { FastifyInstance } from 'fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const selfRegistry = new Registry();
collectDefaultMetrics({ register: selfRegistry, prefix: 'vigil_' });
const httpDuration = new Histogram({
  name: 'vigil_http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [selfRegistry],
});

export async function selfMetricsRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onResponse', async (request, reply) => {
    httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    void reply.header('content-type', selfRegistry.contentType);
    return selfRegistry.metrics();
  });
}
