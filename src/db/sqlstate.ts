// PostgreSQL errors that mean something to a caller, mapped to AppError codes. Anything not in
// this table is an internal error (logged with its stack, answered with a bare 500).
import { AppError, type ErrorCode } from '../core/errors.ts';

const SQLSTATE_TO_CODE: Record<string, ErrorCode> = {
  '23505': 'CONFLICT', // unique_violation: the thing exists already
  '23503': 'VALIDATION_FAILED', // foreign_key_violation: refers to something that does not exist
  '23514': 'VALIDATION_FAILED', // check_violation (also "no partition of relation found for row")
  '23502': 'VALIDATION_FAILED', // not_null_violation
  '22P02': 'VALIDATION_FAILED', // invalid_text_representation
  '22003': 'VALIDATION_FAILED', // numeric_value_out_of_range
  '22007': 'VALIDATION_FAILED', // invalid_datetime_format
  '22008': 'VALIDATION_FAILED', // datetime_field_overflow
  '22023': 'VALIDATION_FAILED', // invalid_parameter_value (our own functions raise it)
  '42501': 'FORBIDDEN', // insufficient_privilege: the caller's role may not do this
  '40001': 'CONFLICT', // serialization_failure: retry
  '40P01': 'CONFLICT', // deadlock_detected: retry
  '55P03': 'CONFLICT', // lock_not_available
  '57014': 'UNAVAILABLE', // query_canceled (statement_timeout)
  '53300': 'OVERLOADED', // too_many_connections
  '57P03': 'UNAVAILABLE', // cannot_connect_now (starting up)
};

interface PgError {
  code?: string;
  message: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
}

const isPgError = (e: unknown): e is PgError =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as PgError).code === 'string' &&
  /^[0-9A-Z]{5}$/.test((e as PgError).code as string);

/** An AppError for a known SQLSTATE, or null when the error is not one the caller caused. */
export function fromPgError(e: unknown): AppError | null {
  if (!isPgError(e)) return null;
  const code = SQLSTATE_TO_CODE[e.code as string];
  if (!code) return null;
  const message = code === 'FORBIDDEN' ? `the database refused this for your role: ${e.message}` : e.message;
  return new AppError(code, message, {
    details: { sqlstate: e.code, constraint: e.constraint, table: e.table, column: e.column },
    cause: e,
  });
}

export const sqlstateOf = (e: unknown): string | undefined => (isPgError(e) ? e.code : undefined);
