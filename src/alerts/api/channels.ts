// /api/v1/alerts/channels (admin writes; secrets never returned) and /api/v1/alerts/deliveries
// (the outbox: pending, delivered and dead letters; admin may requeue a dead letter).
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound, validationError } from '../../core/errors.ts';
import type { ModuleContext } from '../../module.ts';
import { parseChannel, resolveChannel } from '../channels.ts';
import type { AlertsRuntime } from '../module.ts';
import {
  deleteChannel,
  getChannelWithSecret,
  listChannels,
  listDeliveries,
  retryDelivery,
  upsertChannel,
} from '../queries-notify.ts';
import { describeError, send } from '../senders.ts';
import type { NotificationPayload } from '../types.ts';

const tags = ['alert channels'];
const Name = Type.Object({ name: Type.String() });
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ChannelBody = Type.Object(
  {
    name: Type.String({ examples: ['ops-webhook'] }),
    kind: Type.String({ examples: ['webhook', 'slack', 'email'] }),
    url: Type.Optional(Type.String({ description: 'webhook / Slack incoming-webhook URL (secret)' })),
    hmac_secret: Type.Optional(Type.String({ description: 'webhook: signs X-Vigil-Signature (secret)' })),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'webhook: extra headers (secret)' }),
    ),
    to: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    from: Type.Optional(Type.String()),
    smtp: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'host, port, tls, username, password' }),
    ),
    send_resolved: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
    verify: Type.Optional(
      Type.Boolean({ description: 'send a test message first; refuse the channel if it fails' }),
    ),
  },
  { additionalProperties: true },
);
const DeliveryFilter = Type.Object({
  state: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

const testPayload = (name: string): NotificationPayload => ({
  title: `Vigil test notification for channel ${name}`,
  text: 'If you can read this, the channel works.',
  severity: 'info',
  source: 'test',
});

export async function channelRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  _rt: AlertsRuntime,
): Promise<void> {
  const timeoutMs = ctx.config.alerts.delivery_timeout;
  const trySend = async (channel: ReturnType<typeof resolveChannel>) => {
    const t0 = performance.now();
    try {
      await send(channel, testPayload(channel.name), {
        deliveryId: null,
        dedupKey: `test:${Date.now()}`,
        timeoutMs,
        now: ctx.clock.now(),
      });
      return { delivered: true, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      return { delivered: false, error: describeError(e, timeoutMs), ms: Math.round(performance.now() - t0) };
    }
  };

  app.get(
    '/api/v1/alerts/channels',
    {
      schema: {
        summary: 'Notification channels, without secrets; settings (recipients) for admin only',
        tags,
      },
    },
    (request) => {
      // Settings name who a channel reaches (e-mail addresses, webhook targets): admin's alone,
      // which the database enforces with column grants (migration 0043).
      const withSettings = request.requirePrincipal().role === 'admin';
      return request.runAs((c) => listChannels(c, withSettings));
    },
  );

  for (const method of ['POST', 'PUT'] as const) {
    app.route<{ Body: Static<typeof ChannelBody>; Params: Partial<Static<typeof Name>> }>({
      method,
      url: method === 'POST' ? '/api/v1/alerts/channels' : '/api/v1/alerts/channels/:name',
      schema: {
        summary:
          method === 'POST' ? 'Create a channel (admin)' : 'Replace a channel, secrets included (admin)',
        tags,
        body: ChannelBody,
      },
      handler: async (request, reply) => {
        const body = request.body as Record<string, unknown>;
        if (method === 'PUT' && body.name !== undefined && body.name !== request.params.name)
          throw validationError('name in the body differs from the URL; channels cannot be renamed');
        const parsed = parseChannel(
          { ...body, ...(method === 'PUT' ? { name: request.params.name } : {}) },
          ctx.cipher,
        );
        // Written first, tested before commit: a role that may not write channels is refused by
        // PostgreSQL before anything is sent anywhere, and a failed test leaves nothing behind.
        const row = await request.runAs(async (c) => {
          const saved = await upsertChannel(c, parsed, ctx.clock.now(), method === 'PUT');
          if (body.verify === true) {
            const r = await trySend(
              resolveChannel({ ...parsed, secret_encrypted: parsed.secret }, ctx.cipher),
            );
            if (!r.delivered)
              throw validationError(`channel "${parsed.name}" failed its test delivery: ${r.error}`);
          }
          return saved;
        });
        return reply.status(method === 'POST' ? 201 : 200).send(row);
      },
    });
  }

  app.delete<{ Params: Static<typeof Name> }>(
    '/api/v1/alerts/channels/:name',
    { schema: { summary: 'Delete a channel (admin)', tags, params: Name } },
    async (request, reply) => {
      if (!(await request.runAs((c) => deleteChannel(c, request.params.name))))
        throw notFound(`channel "${request.params.name}"`);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof Name> }>(
    '/api/v1/alerts/channels/:name/test',
    { schema: { summary: 'Send a test message now and report the outcome (admin)', tags, params: Name } },
    async (request) => {
      const row = await request.runAs((c) => getChannelWithSecret(c, request.params.name));
      if (!row) throw notFound(`channel "${request.params.name}"`);
      return trySend(resolveChannel(row, ctx.cipher));
    },
  );

  app.get<{ Querystring: Static<typeof DeliveryFilter> }>(
    '/api/v1/alerts/deliveries',
    {
      schema: {
        summary: 'Notification deliveries; state=dead lists dead letters',
        tags,
        querystring: DeliveryFilter,
      },
    },
    (request) =>
      request.runAs((c) => listDeliveries(c, request.query.state ?? null, request.query.limit ?? 100)),
  );

  app.post<{ Params: Static<typeof Id> }>(
    '/api/v1/alerts/deliveries/:id/retry',
    { schema: { summary: 'Requeue a dead letter (admin)', tags, params: Id } },
    async (request) => {
      if (!(await request.runAs((c) => retryDelivery(c, request.params.id, ctx.clock.now()))))
        throw notFound(`dead letter ${request.params.id}`);
      return { requeued: true };
    },
  );
}
