// Opens the database Vigil runs on: DATABASE_URL when set (the embedded server is then never
// started), otherwise the embedded PostgreSQL under data_dir. Failures become one clear line.
import type { Config } from '../config/index.ts';
import { AppError } from '../core/errors.ts';
import { startEmbedded, type EmbeddedServer } from './embedded.ts';
import { createPool, redactUrl, type Pool } from './pool.ts';

export interface Database {
  pool: Pool;
  url: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

function checkTls(url: string, required: boolean): void {
  if (!required) return;
  const mode = new URL(url).searchParams.get('sslmode');
  if (mode !== 'verify-full' && mode !== 'verify-ca') {
    throw new AppError(
      'CONFIG_INVALID',
      'database.require_tls is on but DATABASE_URL has no sslmode=verify-full (or verify-ca): add it',
    );
  }
}

export async function connectDatabase(
  config: Config,
  options: { onLog?: (line: string) => void; applicationName?: string } = {},
): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let url = config.database.url;
  if (url === '') {
    embedded = await startEmbedded({
      dataDir: config.server.data_dir,
      port: config.database.embedded_port,
      onLog: options.onLog,
    });
    url = embedded.url;
  } else {
    checkTls(url, config.database.require_tls);
  }
  const pool = createPool({
    url,
    max: config.database.pool_size,
    statementTimeoutMs: config.database.statement_timeout,
    applicationName: options.applicationName,
  });
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw new AppError(
      'UNAVAILABLE',
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}. Check DATABASE_URL (host, port, user, password, database)`,
      { cause: e },
    );
  }
  return {
    pool,
    url,
    embedded,
    async close() {
      await pool.end().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
    },
  };
}
