import type { Queryable } from '../db/pool.ts';
import type { Role } from '../core/types.ts';

export interface UserRow {
  id: number;
  username: string;
  email: string | null;
  role: Role;
  created_at: Date;
  disabled_at: Date | null;
}

export interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface PrincipalRow {
  token_id: number;
  user_id: number;
  username: string;
  role: Role;
  last_used_at: Date | null;
}

export async function insertUser(
  db: Queryable,
  u: { username: string; role: Role; email: string | null },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO vigil.users (username, role, email) VALUES ($1, $2, $3)
     RETURNING id, username, email, role, created_at, disabled_at`,
    [u.username, u.role, u.email],
  );
  return rows[0] as UserRow;
}

export async function insertToken(
  db: Queryable,
  t: { userId: number; name: string; hash: Buffer; prefix: string; expiresAt: Date | null },
): Promise<TokenRow> {
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO vigil.api_tokens (user_id, name, token_hash, prefix, expires_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at`,
    [t.userId, t.name, t.hash, t.prefix, t.expiresAt],
  );
  return rows[0] as TokenRow;
}

/** $1 the token hash, $2 now (also explained by bench/explain-schema.ts). */
export const FIND_PRINCIPAL_SQL = `SELECT t.id AS token_id, u.id AS user_id, u.username, u.role, t.last_used_at
   FROM vigil.api_tokens t JOIN vigil.users u ON u.id = t.user_id
  WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > $2)`;

/**
 * The active principal behind a token hash: not revoked, not expired, user not disabled. Every
 * API request runs it, so it is a named statement: each connection parses and plans it once.
 */
export async function findPrincipal(db: Queryable, hash: Buffer, now: Date): Promise<PrincipalRow | null> {
  const { rows } = await db.query<PrincipalRow>({
    name: 'vigil-find-principal',
    text: FIND_PRINCIPAL_SQL,
    values: [hash, now],
  });
  return rows[0] ?? null;
}

export async function touchToken(db: Queryable, tokenId: number, now: Date): Promise<void> {
  await db.query('UPDATE vigil.api_tokens SET last_used_at = $2 WHERE id = $1', [tokenId, now]);
}

export async function listUsers(db: Queryable): Promise<(UserRow & { active_tokens: number })[]> {
  const { rows } = await db.query<UserRow & { active_tokens: number }>(
    `SELECT u.id, u.username, u.email, u.role, u.created_at, u.disabled_at,
            count(t.id) FILTER (WHERE t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()))::int
              AS active_tokens
       FROM vigil.users u LEFT JOIN vigil.api_tokens t ON t.user_id = u.id
      GROUP BY u.id ORDER BY u.id`,
  );
  return rows;
}

export async function listTokens(db: Queryable, userId: number): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at
       FROM vigil.api_tokens WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  return rows;
}

export async function findUserByName(db: Queryable, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    'SELECT id, username, email, role, created_at, disabled_at FROM vigil.users WHERE username = $1',
    [username],
  );
  return rows[0] ?? null;
}

/** Revokes one token (by id) or every token of a user; returns how many were revoked. */
export async function revokeTokens(
  db: Queryable,
  by: { tokenId?: number; userId?: number },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE vigil.api_tokens SET revoked_at = now()
      WHERE revoked_at IS NULL AND (id = $1::bigint OR user_id = $2::bigint)`,
    [by.tokenId ?? null, by.userId ?? null],
  );
  return rowCount ?? 0;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vigil.users');
  return rows[0]?.n ?? 0;
}

/** One API call as the audit trail records it; the address only encrypted and blind-indexed. */
export interface AccessLogEntry {
  userId: number | null;
  tokenId: number | null;
  method: string;
  path: string;
  status: number;
  ipEncrypted: Buffer | null;
  ipBlindIndex: Buffer | null;
  userAgent: string | null;
}

/** Many access-log entries in one INSERT (see access-log.ts). */
export async function insertAccessLogs(db: Queryable, entries: readonly AccessLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO vigil.user_access_logs (user_id, token_id, method, path, status, ip_encrypted, ip_blind_index, user_agent)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::bytea[], $8::text[])`,
    [
      entries.map((e) => e.userId),
      entries.map((e) => e.tokenId),
      entries.map((e) => e.method),
      entries.map((e) => e.path),
      entries.map((e) => e.status),
      entries.map((e) => e.ipEncrypted),
      entries.map((e) => e.ipBlindIndex),
      entries.map((e) => e.userAgent),
    ],
  );
}
