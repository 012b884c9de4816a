// Users and tokens over the API. Each handler runs as the caller's database role, so only an
// admin token can read or change users: for any other role PostgreSQL answers 42501 (403).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listTokens, listUsers, revokeTokens } from '../../auth/queries.ts';
import { createUserWithToken } from '../../auth/users.ts';
import { notFound } from '../../core/errors.ts';
import { ROLES, type Role } from '../../core/types.ts';
import type { ModuleContext } from '../../module.ts';

const UserOut = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  disabled_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const CreateUser = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['users'];

export async function userRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get('/api/v1/me', { schema: { summary: 'Who the token belongs to', tags } }, async (request) => {
    const p = request.requirePrincipal();
    return { user_id: p.userId, username: p.username, role: p.role };
  });

  app.get(
    '/api/v1/users',
    {
      schema: {
        summary: 'List users (admin)',
        tags,
        response: {
          200: Type.Array(Type.Intersect([UserOut, Type.Object({ active_tokens: Type.Integer() })])),
        },
      },
    },
    async (request) => request.runAs((c) => listUsers(c)),
  );

  app.post<{ Body: Static<typeof CreateUser> }>(
    '/api/v1/users',
    {
      schema: {
        summary: 'Create a user and its first token (admin); the token is shown only here',
        tags,
        body: CreateUser,
      },
    },
    async (request, reply) => {
      const b = request.body;
      const now = ctx.clock.now();
      const expiresAt = b.expires_in_days ? new Date(now.getTime() + b.expires_in_days * 86_400_000) : null;
      const issued = await request.runAs((c) =>
        createUserWithToken(c, {
          username: b.username,
          role: b.role as Role,
          email: b.email ?? null,
          expiresAt,
        }),
      );
      return reply.status(201).send({
        user: issued.user,
        token: issued.token,
        token_id: issued.tokenRow.id,
        expires_at: expiresAt,
      });
    },
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/users/:id/tokens',
    { schema: { summary: "A user's tokens, without secrets (admin)", tags, params: Id } },
    async (request) => request.runAs((c) => listTokens(c, request.params.id)),
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/tokens/:id',
    { schema: { summary: 'Revoke a token (admin)', tags, params: Id } },
    async (request, reply) => {
      const n = await request.runAs((c) => revokeTokens(c, { tokenId: request.params.id }));
      if (n === 0) throw notFound(`active token ${request.params.id}`);
      return reply.status(204).send();
    },
  );
}
