// Dashboard sign-in: the browser posts an API token once, gets it back as an HttpOnly,
// SameSite=Strict cookie, and the auth hook (src/api/auth.ts) reads that cookie on every /api call.
// Because a cookie rides along on any request the browser makes, state-changing requests
// authenticated only by the cookie must also carry a header a cross-site form cannot set.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.ts';
import { SESSION_COOKIE } from '../api/auth.ts';
import { AppError } from '../core/errors.ts';
import type { ModuleContext } from '../module.ts';

export const CSRF_HEADER = 'x-vigil-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A dashboard session lasts a working week; the token's own expiry still applies. */
const SESSION_MAX_AGE_S = 7 * 86_400;

const SessionIn = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
const SessionOut = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
});

function hasSessionCookie(request: FastifyRequest): boolean {
  const cookie = request.headers.cookie;
  if (!cookie) return false;
  return cookie.split(';').some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`));
}

export function sessionCookie(value: string, options: { secure: boolean; maxAge: number }): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${options.maxAge}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Refuses a cookie-authenticated write that lacks the CSRF header (bearer tokens are exempt). */
export function csrfCheck(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method) || !request.url.startsWith('/api/')) return;
  if (request.headers.authorization) return;
  if (!hasSessionCookie(request)) return;
  if (request.headers[CSRF_HEADER] !== '1') {
    throw new AppError(
      'FORBIDDEN',
      `a request authenticated by the session cookie must send the header "${CSRF_HEADER}: 1"`,
    );
  }
}

export function sessionRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  const secure = ctx.config.server.tls_cert_file !== '';
  // Runs after the auth hook (registered earlier), before any handler.
  app.addHook('onRequest', async (request) => csrfCheck(request));

  app.post<{ Body: Static<typeof SessionIn> }>(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in to the dashboard: validates the token and sets the session cookie',
        tags: ['session'],
        security: [],
        body: SessionIn,
        response: { 200: SessionOut },
      },
    },
    async (request: FastifyRequest<{ Body: Static<typeof SessionIn> }>, reply: FastifyReply) => {
      const p = await authenticate(ctx.pool, request.body.token, ctx.clock.now());
      request.principal = p; // so the access log records the sign-in
      reply.header('set-cookie', sessionCookie(request.body.token, { secure, maxAge: SESSION_MAX_AGE_S }));
      reply.header('cache-control', 'no-store');
      return { user_id: p.userId, username: p.username, role: p.role };
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { public: true },
      schema: { summary: 'Sign out: clears the session cookie', tags: ['session'], security: [] },
    },
    async (_request, reply) => {
      reply.header('set-cookie', sessionCookie('', { secure, maxAge: 0 }));
      return reply.status(204).send();
    },
  );
}
