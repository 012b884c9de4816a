// The dashboard: serves the built single-page app (web/dist) at `/` and the session endpoints
// that sign a browser in and out. The app itself talks only to the public /api.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { VigilModule } from '../module.ts';
import { DIST_DIR, ensureDashboardBuilt } from './build.ts';
import { sessionRoutes } from './session.ts';

// The bundle loads nothing from elsewhere (no CDN): everything is same-origin.
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Vigil: dashboard not built</title>
<body style="font:16px system-ui;max-width:40rem;margin:4rem auto"><h1>The dashboard is not built</h1>
<p>Vigil could not build it on start. Run <code>npm install</code> then <code>npm run build:web</code>
and restart Vigil. The API works meanwhile: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;

async function staticRoutes(app: FastifyInstance, built: boolean): Promise<void> {
  const indexPath = join(DIST_DIR, 'index.html');
  if (built) {
    await app.register(fastifyStatic, {
      root: DIST_DIR,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      cacheControl: false,
      schemaHide: true,
      setHeaders: (res, path) => {
        // Hashed file names under assets/ never change content; everything else is revalidated.
        res.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        res.header('x-content-type-options', 'nosniff');
      },
    });
  }
  const page = (reply: FastifyReply) => {
    securityHeaders(reply);
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    if (built && existsSync(indexPath)) return reply.send(readFileSync(indexPath));
    return reply.status(503).send(NOT_BUILT);
  };
  app.get('/', { config: { public: true }, schema: { hide: true } }, (_req, reply) => page(reply));
  // SPA fallback: any other non-API path answers the app (the router reads the hash).
  app.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    if (request.url.startsWith('/api/') || /\.[a-z0-9]+$/i.test(request.url.split('?')[0] ?? '')) {
      return reply.callNotFound();
    }
    return page(reply);
  });
}

export const webModule: VigilModule = {
  name: 'web',
  async start(ctx) {
    let built = true;
    try {
      await ensureDashboardBuilt(ctx.logger);
    } catch (e) {
      built = existsSync(join(DIST_DIR, 'index.html'));
      ctx.logger.error({ err: e }, 'could not build the dashboard: run `npm run build:web`');
    }
    return {
      async routes(app) {
        sessionRoutes(app, ctx);
        await staticRoutes(app, built);
      },
    };
  },
};
