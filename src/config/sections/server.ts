import { type SectionDef, anyText, int, oneOf, text } from '../define.ts';

export const server = {
  host: {
    env: 'VIGIL_HOST',
    default: '127.0.0.1',
    doc: 'Address the HTTP server binds to. Use 0.0.0.0 to accept agents from other hosts (with TLS).',
    ...text(/^[0-9A-Za-z.:-]{1,255}$/, 'an IP address or host name'),
  },
  port: { env: 'VIGIL_PORT', default: 8080, doc: 'HTTP port of the API and dashboard.', ...int(0, 65535) },
  tls_cert_file: {
    env: 'VIGIL_TLS_CERT_FILE',
    default: '',
    doc: 'PEM certificate; with tls_key_file, the server speaks HTTPS only.',
    ...anyText,
  },
  tls_key_file: {
    env: 'VIGIL_TLS_KEY_FILE',
    default: '',
    doc: 'PEM private key for tls_cert_file.',
    ...anyText,
  },
  log_level: {
    env: 'VIGIL_LOG_LEVEL',
    default: 'info',
    doc: 'Log level of the structured (pino) log on stdout.',
    ...oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  },
  data_dir: {
    env: 'VIGIL_DATA_DIR',
    default: './.vigil',
    doc: "Where the embedded PostgreSQL, the admin token, local keys and the local agent's counter state live.",
    ...text(/^.{1,1024}$/, 'a directory path'),
  },
  max_body_bytes: {
    env: 'VIGIL_MAX_BODY_BYTES',
    default: 10 * 1024 * 1024,
    doc: 'Largest request body accepted (bytes); larger ones get 413.',
    ...int(1024, 256 * 1024 * 1024),
  },
} satisfies SectionDef;
