import { pino, type Logger } from 'pino';

// Structured logs on stdout. Authorization headers, cookies and tokens never reach the log.
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', 'token', 'password'],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
export type { Logger };
