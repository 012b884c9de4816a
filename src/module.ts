// What a feature module (ingest, rollups, alerts, incidents, anomaly …) plugs into the running
// system. main.ts starts every module listed in modules.ts with one shared context; each may add
// HTTP routes, scheduled jobs and things to stop on shutdown. Modules talk through `events` and
// the database, never through each other's internals.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FieldCipher } from './auth/crypto.ts';
import type { Config } from './config/index.ts';
import type { Clock } from './core/clock.ts';
import type { EventBus } from './core/events.ts';
import type { Pool } from './db/pool.ts';
import type { Job } from './jobs/scheduler.ts';

export interface ModuleContext {
  config: Config;
  pool: Pool;
  logger: Logger;
  clock: Clock;
  events: EventBus;
  cipher: FieldCipher;
  /** Base URL this process serves (for agents and links), e.g. http://127.0.0.1:8080. */
  baseUrl: () => string;
}

export interface StartedModule {
  /** Registers HTTP routes; every /api route is authenticated and may use request.runAs. */
  routes?(app: FastifyInstance): Promise<void> | void;
  /** Jobs for the scheduler (not started in tests unless the test asks). */
  jobs?: Job[];
  /** Called once the HTTP server listens (e.g. the in-process agent). */
  afterListen?(): Promise<void> | void;
  /** Stops timers, flushes queues, closes listeners. */
  stop?(): Promise<void>;
}

export interface VigilModule {
  name: string;
  start(ctx: ModuleContext): Promise<StartedModule> | StartedModule;
}
