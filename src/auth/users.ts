// Users and their tokens. The CLI calls these as the database owner; the admin API calls them
// inside a vigil_admin transaction, so PostgreSQL refuses them to anyone else.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validationError } from '../core/errors.ts';
import { type Role, isRole } from '../core/types.ts';
import type { Queryable } from '../db/pool.ts';
import { countUsers, insertToken, insertUser, type TokenRow, type UserRow } from './queries.ts';
import { generateToken } from './tokens.ts';

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export interface IssuedToken {
  user: UserRow;
  token: string;
  tokenRow: TokenRow;
}

export function checkNewUser(input: { username: string; role: string; expiresAt?: Date | null }): void {
  if (!USERNAME.test(input.username)) {
    throw validationError(
      'username must be 1-64 characters: lowercase letters, digits, and . _ @ - (not first)',
      {
        field: 'username',
      },
    );
  }
  if (!isRole(input.role)) {
    throw validationError('role must be one of admin, devops, readonly, ingest', { field: 'role' });
  }
  if (input.expiresAt && Number.isNaN(input.expiresAt.getTime())) {
    throw validationError('expires_at is not a valid time', { field: 'expires_at' });
  }
}

export async function issueToken(
  db: Queryable,
  userId: number,
  opts: { name?: string; expiresAt?: Date | null } = {},
): Promise<{ token: string; tokenRow: TokenRow }> {
  const t = generateToken();
  const tokenRow = await insertToken(db, {
    userId,
    name: opts.name ?? '',
    hash: t.hash,
    prefix: t.prefix,
    expiresAt: opts.expiresAt ?? null,
  });
  return { token: t.token, tokenRow };
}

export async function createUserWithToken(
  db: Queryable,
  input: { username: string; role: Role; email?: string | null; expiresAt?: Date | null; tokenName?: string },
): Promise<IssuedToken> {
  checkNewUser(input);
  const user = await insertUser(db, {
    username: input.username,
    role: input.role,
    email: input.email ?? null,
  });
  const { token, tokenRow } = await issueToken(db, user.id, {
    name: input.tokenName ?? 'initial',
    expiresAt: input.expiresAt,
  });
  return { user, token, tokenRow };
}

/**
 * On first start with no users: create `admin`, write its token to data_dir/admin-token
 * (mode 600) and return it so the caller can print it once. Returns null when users exist.
 */
export async function bootstrapAdmin(
  db: Queryable,
  dataDir: string,
): Promise<{ token: string; file: string } | null> {
  if ((await countUsers(db)) > 0) return null;
  const { token } = await createUserWithToken(db, {
    username: 'admin',
    role: 'admin',
    tokenName: 'bootstrap',
  });
  const file = join(dataDir, 'admin-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
