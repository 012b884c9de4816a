// Authentication for /api: a token from "Authorization: Bearer|Token <t>", Basic auth (the
// password is the token, for collectd and Telegraf), or the dashboard's session cookie.
// request.runAs(fn) runs fn in a transaction under SET LOCAL ROLE of the caller's role.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.ts';
import { AccessLogWriter } from '../auth/access-log.ts';
import { AppError } from '../core/errors.ts';
import type { Principal } from '../core/types.ts';
import type { PoolClient } from '../db/pool.ts';
import { withRole } from '../db/transaction.ts';
import type { ModuleContext } from '../module.ts';

export const SESSION_COOKIE = 'vigil_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Runs fn in a transaction as the caller's database role; PostgreSQL enforces the rest. */
    runAs<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
    /** The caller; throws 401 on an unauthenticated request. */
    requirePrincipal(): Principal;
  }
  interface FastifyContextConfig {
    /** Route needs no token (health, login, static files). */
    public?: boolean;
  }
}

export function tokenFromRequest(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^(Bearer|Token)\s+(\S+)\s*$/i.exec(header);
    if (m) return m[2];
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) : decoded;
    }
    return header; // malformed: authenticate() says so
  }
  const cookie = request.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

export function registerAuth(app: FastifyInstance, ctx: ModuleContext): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('runAs', function <
    T,
  >(this: FastifyRequest, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return withRole(ctx.pool, this.requirePrincipal().role, fn);
  });
  app.decorateRequest('requirePrincipal', function (this: FastifyRequest): Principal {
    if (!this.principal) throw new AppError('UNAUTHENTICATED', 'this endpoint needs an API token');
    return this.principal;
  });

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config?.public) return;
    request.principal = await authenticate(ctx.pool, tokenFromRequest(request), ctx.clock.now());
  });

  // The audit trail: who called what, from which (encrypted) address, with what result. Written
  // in batches (src/auth/access-log.ts); what is queued is written when the server closes.
  const accessLog = new AccessLogWriter(ctx.pool, ctx.logger);
  app.addHook('onClose', () => accessLog.close());
  app.addHook('onResponse', async (request, reply) => {
    const p = request.principal;
    if (!p) return;
    const ip = request.ip;
    accessLog.add({
      userId: p.userId,
      tokenId: p.tokenId,
      method: request.method,
      path: (request.routeOptions.url ?? request.url.split('?')[0] ?? '').slice(0, 2048),
      status: reply.statusCode,
      ipEncrypted: ip ? ctx.cipher.encrypt(ip) : null,
      ipBlindIndex: ip ? ctx.cipher.blindIndex(ip) : null,
      userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
    });
  });
}
