export { AccessLogWriter } from './access-log.ts';
export { authenticate, bearerToken } from './authenticate.ts';
export { createFieldCipher, loadEncryptionKey, type FieldCipher } from './crypto.ts';
export { bootstrapAdmin, createUserWithToken, issueToken, checkNewUser, type IssuedToken } from './users.ts';
export { generateToken, hashToken, TOKEN_PATTERN } from './tokens.ts';
export {
  findUserByName,
  insertAccessLogs,
  type AccessLogEntry,
  listTokens,
  listUsers,
  revokeTokens,
  type TokenRow,
  type UserRow,
} from './queries.ts';
