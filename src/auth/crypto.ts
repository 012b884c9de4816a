// Column encryption for personal data (client IP addresses): AES-256-GCM with a random nonce,
// stored as nonce ‖ tag ‖ ciphertext, plus a keyed blind index (HMAC-SHA-256 with a key derived
// from the same secret) so equality lookups need no decryption.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FieldCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  blindIndex(plain: string): Buffer;
}

export function createFieldCipher(secret: Buffer): FieldCipher {
  if (secret.length !== 32) throw new Error('encryption key must be 32 bytes');
  const encKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'vigil field encryption', 32));
  const macKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'vigil blind index', 32));
  return {
    encrypt(plain) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, nonce);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', encKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
    blindIndex: (plain) => createHmac('sha256', macKey).update(plain, 'utf8').digest(),
  };
}

/** The configured key, or one generated once and kept in data_dir/encryption-key (mode 600). */
export function loadEncryptionKey(configured: string, dataDir: string): Buffer {
  if (configured !== '') return Buffer.from(configured, 'base64');
  const file = join(dataDir, 'encryption-key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  return key;
}
