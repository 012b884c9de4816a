// The HTTP ingest endpoints. They live in their own fastify scope: bodies arrive as raw bytes
// (gzip/deflate undone first, bounded by ingest.max_body_bytes → 413) and each format's own
// parser reads them, so a bad row gets a reason instead of a failed request. The caller must
// hold the ingest role or higher; PostgreSQL refuses the rest (403).
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { CounterState } from './counters.ts';
import { parseCollectd } from './parsers/collectd.ts';
import { parseJsonLogs, parseJsonMetrics } from './parsers/json.ts';
import { parseLineProtocol } from './parsers/line-protocol.ts';
import { parseRemoteWrite } from './parsers/remote-write.ts';
import {
  CollectdBody,
  IDEMPOTENCY_KEY_PATTERN,
  INGEST_RESPONSES,
  IngestHeaders,
  LineProtocolBody,
  LogsBody,
  MetricsBody,
  RemoteWriteBody,
  WriteQuery,
} from './schemas.ts';
import type { Idempotency, IngestService, IngestSummary } from './service.ts';
import { type IngestLimits, type ParseResult, limitsAt } from './types.ts';

export interface RouteDeps {
  service: IngestService;
  state: CounterState;
  clock: Clock;
  maxBodyBytes: number;
  limits: Omit<IngestLimits, 'nowMs'>;
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function requireType(request: FastifyRequest, allowed: readonly string[]): void {
  const type = mediaType(request);
  if (!allowed.includes(type)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type || '(none)'} is not accepted here; send ${allowed.filter(Boolean).join(' or ')}`,
    );
  }
}

const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * The request's Idempotency-Key, scoped to its token and endpoint, with a hash of what it asks
 * for: the query string (line protocol's precision changes the meaning) and the decompressed body.
 */
function idempotencyOf(request: FastifyRequest, payload: Buffer): Idempotency | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw new AppError('VALIDATION_FAILED', 'send one Idempotency-Key header, not several');
  if (!KEY.test(raw)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Idempotency-Key must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : + = / - (got ${raw.length} characters${raw.length > 0 && raw.length <= 128 ? ' with others' : ''})`,
    );
  }
  const q = request.url.indexOf('?');
  const path = q >= 0 ? request.url.slice(0, q) : request.url;
  const query = q >= 0 ? request.url.slice(q + 1) : '';
  return {
    tokenId: request.requirePrincipal().tokenId,
    endpoint: request.routeOptions.url ?? path,
    key: raw,
    bodySha256: createHash('sha256').update(query).update('\n').update(payload).digest(),
  };
}

/** gzip/deflate bodies are inflated before the size limit applies, so a small bomb still gets 413. */
function decompress(payload: Readable, encoding: string | undefined): Readable {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity' || enc === 'snappy') return payload;
  if (enc !== 'gzip' && enc !== 'deflate') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding ${enc} is not supported; use gzip or deflate`,
    );
  }
  const inflate = enc === 'gzip' ? createGunzip() : createInflate();
  const out = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (out.receivedEncodedLength += chunk.length));
  payload.on('error', (e) => out.destroy(e));
  inflate.on('error', () => out.destroy(new AppError('VALIDATION_FAILED', `body is not valid ${enc}`)));
  return payload.pipe(inflate).pipe(out);
}

export async function ingestRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { service, state, clock } = deps;
  const limits = () => limitsAt(clock.now().getTime(), deps.limits);
  const role = (r: FastifyRequest) => r.requirePrincipal().role;
  const tags = ['ingest'];
  const security = [{ token: [] }];

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );
    scope.addHook('preParsing', async (request, _reply, payload) =>
      decompress(payload, request.headers['content-encoding']),
    );
    // curl-based clients (collectd's User/Password) send Basic credentials only when challenged.
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode === 401)
        void reply.header('www-authenticate', 'Basic realm="vigil", Bearer realm="vigil"');
      return payload;
    });
    // Schemas here document the formats; the parsers are what judge a body (see schemas.ts).
    scope.setValidatorCompiler(() => () => true);
    const body = (r: FastifyRequest) => (Buffer.isBuffer(r.body) ? r.body : Buffer.alloc(0));
    const headers = IngestHeaders;
    /** Parses and writes; with an Idempotency-Key, once per key (see IngestService.ingestOnce). */
    const ingest = async (
      request: FastifyRequest,
      reply: FastifyReply,
      parse: () => ParseResult,
      options: { merge?: boolean } = {},
    ): Promise<IngestSummary> => {
      const idempotency = idempotencyOf(request, body(request));
      if (!idempotency) return service.ingest(role(request), parse(), options);
      const done = await service.ingestOnce(role(request), idempotency, parse, options);
      if (done.replayed) void reply.header('idempotent-replayed', 'true');
      return done.summary;
    };

    scope.post(
      '/api/v1/metrics',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          summary: 'Write server_metrics rows (JSON)',
          tags,
          security,
          headers,
          body: MetricsBody,
          response: INGEST_RESPONSES,
        },
      },
      async (request, reply) => {
        requireType(request, ['application/json']);
        return ingest(request, reply, () => parseJsonMetrics(body(request), limits()));
      },
    );

    scope.post(
      '/api/v1/logs',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          summary: 'Write error-log entries (JSON)',
          tags,
          security,
          headers,
          body: LogsBody,
          response: INGEST_RESPONSES,
        },
      },
      async (request, reply) => {
        requireType(request, ['application/json']);
        return ingest(request, reply, () => parseJsonLogs(body(request), limits()));
      },
    );

    scope.post<{ Querystring: { precision?: string } }>(
      '/api/v1/write',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          summary: 'InfluxDB line protocol (Telegraf); precision ns (default), us, ms or s',
          tags,
          security,
          headers,
          querystring: WriteQuery,
          body: LineProtocolBody,
          response: INGEST_RESPONSES,
        },
      },
      async (request, reply) => {
        // InfluxDB takes any type here; curl --data-binary sends the form type by default.
        requireType(request, [
          'text/plain',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          '',
        ]);
        const parse = () =>
          parseLineProtocol(body(request), limits(), { state, precision: request.query.precision });
        return ingest(request, reply, parse, { merge: true });
      },
    );

    scope.post(
      '/api/v1/prom/write',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          summary:
            'Prometheus remote_write (snappy + protobuf); node_exporter series also fill server_metrics',
          tags,
          security,
          headers,
          body: RemoteWriteBody,
          response: INGEST_RESPONSES,
        },
      },
      async (request, reply) => {
        requireType(request, ['application/x-protobuf']);
        const parse = () =>
          parseRemoteWrite(body(request), limits(), { state, maxUncompressed: deps.maxBodyBytes });
        return ingest(request, reply, parse, { merge: true });
      },
    );

    scope.post(
      '/api/v1/collectd',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          summary: 'collectd write_http (Format "JSON")',
          tags,
          security,
          headers,
          body: CollectdBody,
          response: INGEST_RESPONSES,
        },
      },
      async (request, reply) => {
        requireType(request, ['application/json']);
        return ingest(request, reply, () => parseCollectd(body(request), limits(), state), { merge: true });
      },
    );
  });
}
