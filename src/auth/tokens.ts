// API tokens: "vgl_" + 32 random bytes (base64url). Only the SHA-256 of the token is stored;
// the prefix (first characters) lets a person tell tokens apart in listings.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PATTERN = /^vgl_[A-Za-z0-9_-]{43}$/;

export interface NewToken {
  token: string;
  hash: Buffer;
  prefix: string;
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function generateToken(): NewToken {
  const token = `vgl_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}
