import { type SectionDef, text } from '../define.ts';

export const auth = {
  encryption_key: {
    env: 'VIGIL_ENCRYPTION_KEY',
    default: '',
    doc:
      'Base64 of 32 random bytes: encrypts IP addresses in user_access_logs and channel secrets. ' +
      'When empty, a key is generated once and kept in data_dir/encryption-key (mode 600).',
    secret: true,
    ...text(/^$|^[A-Za-z0-9+/]{43}=$/, 'empty, or base64 of exactly 32 bytes (44 characters)'),
  },
} satisfies SectionDef;
