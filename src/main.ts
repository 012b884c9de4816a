// Composition root: config → database (embedded or DATABASE_URL) → migrations → first admin →
// partitions → modules → HTTP server → scheduler. Returns a handle that stops it all in order.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './api/app.ts';
import { createFieldCipher, loadEncryptionKey } from './auth/crypto.ts';
import { bootstrapAdmin } from './auth/users.ts';
import type { Config } from './config/index.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { AppError } from './core/errors.ts';
import { EventBus } from './core/events.ts';
import { connectDatabase, type Database } from './db/connect.ts';
import { migrate } from './db/migrator.ts';
import { sqlstateOf } from './db/sqlstate.ts';
import { Scheduler } from './jobs/scheduler.ts';
import type { ModuleContext, StartedModule, VigilModule } from './module.ts';
import { MODULES } from './modules.ts';
import { ensurePartitionsAround } from './storage/partitions.ts';

export interface Vigil {
  app: FastifyInstance;
  db: Database;
  ctx: ModuleContext;
  scheduler: Scheduler;
  url: string;
  /** Set when this start created the first admin: print it once. */
  bootstrapToken: { token: string; file: string } | null;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  modules?: VigilModule[];
  /** Do not listen or run jobs (tests drive app.inject and jobs themselves). */
  listen?: boolean;
}

async function migrateOrExplain(db: Database, logger: Logger): Promise<void> {
  try {
    await migrate(db.pool, {
      onApply: (version, ms) => logger.info({ version, ms: Math.round(ms) }, 'migration applied'),
    });
  } catch (e) {
    if (
      sqlstateOf((e as Error).cause ?? e) === '42501' ||
      /permission denied|must be owner/i.test(String((e as Error).message))
    ) {
      throw new AppError(
        'SCHEMA_MISMATCH',
        `the database user lacks privileges to migrate (${(e as Error).message}): it needs CREATE on the database, and CREATEROLE or the roles vigil_admin, vigil_devops, vigil_readonly and vigil_ingest granted to it WITH ADMIN OPTION (docs/roles.md)`,
        { cause: e },
      );
    }
    throw e;
  }
}

export async function startVigil(options: StartOptions): Promise<Vigil> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const db = await connectDatabase(config, {
    onLog: (line) => logger.debug({ component: 'postgres' }, line.trim()),
  });
  const started: StartedModule[] = [];
  const scheduler = new Scheduler(logger);
  let app: FastifyInstance | null = null;
  const close = async () => {
    await scheduler.stop();
    await app?.close();
    for (const m of [...started].reverse())
      await m.stop?.().catch((e: unknown) => logger.error({ err: e }, 'module stop failed'));
    await db.close();
  };
  try {
    await migrateOrExplain(db, logger);
    const bootstrapToken = await bootstrapAdmin(db.pool, config.server.data_dir);
    await ensurePartitionsAround(
      db.pool,
      clock.now(),
      config.database.partitions_ahead_days,
      config.database.partitions_behind_days,
    );
    let url = `http://${config.server.host}:${config.server.port}`;
    const events = new EventBus();
    events.onListenerError(({ event, error }) =>
      logger.error({ event, err: error }, 'event listener failed'),
    );
    const ctx: ModuleContext = {
      config,
      pool: db.pool,
      logger,
      clock,
      events,
      cipher: createFieldCipher(loadEncryptionKey(config.auth.encryption_key, config.server.data_dir)),
      baseUrl: () => url,
    };
    for (const mod of options.modules ?? MODULES) {
      const m = await mod.start(ctx);
      started.push(m);
      for (const job of m.jobs ?? []) scheduler.add(job);
    }
    app = await buildApp(ctx, started);
    if (options.listen !== false) {
      url = await listen(app, config);
      scheduler.start();
      for (const m of started) await m.afterListen?.();
    } else {
      await app.ready();
    }
    return { app, db, ctx, scheduler, url, bootstrapToken, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

async function listen(app: FastifyInstance, config: Config): Promise<string> {
  const tls = config.server.tls_cert_file !== '';
  if (tls && config.server.tls_key_file === '') {
    throw new AppError(
      'CONFIG_INVALID',
      'server.tls_cert_file is set but server.tls_key_file is not: set both or neither',
    );
  }
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError(
        'UNAVAILABLE',
        `port ${config.server.port} on ${config.server.host} is in use: stop what uses it or set VIGIL_PORT (server.port)`,
      );
    }
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  return `${tls ? 'https' : 'http'}://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
}
