import { AppError } from '../core/errors.ts';
import type { Principal } from '../core/types.ts';
import type { Queryable } from '../db/pool.ts';
import { findPrincipal, touchToken } from './queries.ts';
import { TOKEN_PATTERN, hashToken } from './tokens.ts';

const TOUCH_EVERY_MS = 60_000; // last_used_at is informative; one write a minute per token is enough

/** Resolves a bearer token to its principal; 401 for a missing, malformed, unknown, revoked or expired one. */
export async function authenticate(db: Queryable, token: string | undefined, now: Date): Promise<Principal> {
  if (!token) {
    throw new AppError('UNAUTHENTICATED', 'missing API token: send "Authorization: Bearer <token>"');
  }
  if (!TOKEN_PATTERN.test(token)) throw new AppError('UNAUTHENTICATED', 'malformed API token');
  const row = await findPrincipal(db, hashToken(token), now);
  if (!row) throw new AppError('UNAUTHENTICATED', 'unknown, revoked or expired API token');
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
    await touchToken(db, row.token_id, now);
  }
  return { userId: row.user_id, username: row.username, role: row.role, tokenId: row.token_id };
}

/** The token from an Authorization header ("Bearer x") or a session cookie value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
