// The one error handler: known errors become { error: { code, message, details } } with their
// status; PostgreSQL errors the caller caused are mapped through the SQLSTATE table; anything
// else is logged with its stack and answered with a bare 500.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../core/errors.ts';
import { fromPgError } from '../db/sqlstate.ts';

const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new AppError('PAYLOAD_TOO_LARGE', 'request body is larger than server.max_body_bytes'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type for this endpoint'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('VALIDATION_FAILED', 'empty JSON body'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new AppError('VALIDATION_FAILED', 'Content-Length does not match the body'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new AppError('VALIDATION_FAILED', 'body is not valid JSON'),
};

export function toAppError(error: unknown): AppError | null {
  if (isAppError(error)) return error;
  const pg = fromPgError(error);
  if (pg) return pg;
  const fe = error as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (fe?.validation) {
    return new AppError('VALIDATION_FAILED', `${fe.validationContext ?? 'request'} ${fe.message}`, {
      details: fe.validation,
    });
  }
  const mapped = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return mapped();
  if (error instanceof SyntaxError && fe?.statusCode === 400)
    return new AppError('VALIDATION_FAILED', `body is not valid JSON: ${error.message}`);
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', fe.message);
  }
  return null;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toAppError(error);
    if (!known) {
      request.log.error({ err: error }, 'unhandled error');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    if (known.status >= 500) request.log.warn({ code: known.code, err: known.cause ?? known }, known.message);
    if (known.code === 'OVERLOADED' || known.code === 'RATE_LIMITED') {
      const retry = (known.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1;
      void reply.header('retry-after', String(retry));
    }
    return reply.status(known.status).send({
      error: {
        code: known.code,
        message: known.message,
        ...(known.details === undefined ? {} : { details: known.details }),
      },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );
}
