import pg from 'pg';

// COUNT(*) and ids come back as int8; as JavaScript numbers they are exact up to 2^53, far
// beyond any row count or id Vigil produces. SUM over bigint is numeric and stays a string.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that runs a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  url: string;
  max?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName ?? 'vigil',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the next query gets a fresh connection.
  pool.on('error', () => undefined);
  return pool;
}

/** The URL with any password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
