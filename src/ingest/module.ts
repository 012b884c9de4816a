// The ingest module as `vigil start` runs it: the shared batch writer, the HTTP endpoints, the
// syslog listeners, the scrape job and the in-process agent for the local host. After every
// commit it announces the servers written (events 'metrics.committed' / 'logs.committed', and
// writer.onCommitted for in-process subscribers) and keeps servers.last_seen_at current.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from '../agent/agent.ts';
import { AppError } from '../core/errors.ts';
import { withRole } from '../db/transaction.ts';
import type { ModuleContext, StartedModule, VigilModule } from '../module.ts';
import { BatchWriter } from './batch-writer.ts';
import { CounterState } from './counters.ts';
import { parseJsonMetrics } from './parsers/json.ts';
import { deleteIngestRequestsBefore, touchServers } from './queries.ts';
import { Registry } from './registry.ts';
import { ingestRoutes } from './routes.ts';
import { scrapeAll } from './scraper.ts';
import { IngestService } from './service.ts';
import { SyslogListener } from './syslog-listener.ts';
import { limitsAt } from './types.ts';

const LAST_SEEN_EVERY_MS = 30_000;
/** The local agent's counter readings (see agent/counter-state.ts), in server.data_dir. */
const LOCAL_AGENT_STATE_FILE = 'agent-counters.json';

export interface IngestHandle extends StartedModule {
  writer: BatchWriter;
  service: IngestService;
  syslog: SyslogListener;
  /** Ports the syslog listeners bound (0 when off); known after afterListen. */
  syslogPorts: { udp: number; tcp: number };
}

export interface IngestOptions {
  /** Where the local agent reads /proc (tests give it a fake one with known counters). */
  agentProcRoot?: string;
}

export function startIngest(ctx: ModuleContext, options: IngestOptions = {}): IngestHandle {
  const c = ctx.config.ingest;
  const limits = { maxPastMs: c.max_past, maxFutureMs: c.max_future, maxRows: c.max_rows_per_request };
  const writer = new BatchWriter({
    pool: ctx.pool,
    logger: ctx.logger,
    maxBatchRows: c.batch_rows,
    maxQueuedRows: c.queue_rows,
    maxQueuedBytes: c.queue_bytes,
    writers: c.writers,
    lingerMs: c.linger,
  });
  const registry = new Registry();
  const service = new IngestService(ctx.pool, writer, registry);
  const state = new CounterState();
  const syslog = new SyslogListener({
    host: c.syslog_host,
    udpPort: c.syslog_udp_port,
    tcpPort: c.syslog_tcp_port,
    service,
    clock: ctx.clock,
    logger: ctx.logger,
    limits,
  });

  // last_seen_at: at most one UPDATE in flight and one per server per interval, so writers never
  // queue behind row locks on vigil.servers.
  const lastTouched = new Map<number, number>();
  let touching: Promise<void> = Promise.resolve();
  const touch = (ids: number[]) => {
    const now = ctx.clock.now();
    const due = ids.filter((id) => now.getTime() - (lastTouched.get(id) ?? 0) >= LAST_SEEN_EVERY_MS);
    if (due.length === 0) return;
    for (const id of due) lastTouched.set(id, now.getTime());
    due.sort((a, b) => a - b);
    touching = touching
      .then(() => withRole(ctx.pool, 'ingest', (client) => touchServers(client, due, now)))
      .catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not update last_seen_at'));
  };
  writer.onCommitted((done) => {
    if (done.metricServerIds.length > 0) {
      ctx.events.emit('metrics.committed', {
        serverIds: done.metricServerIds,
        maxTs: done.maxTs ?? ctx.clock.now(),
      });
    }
    if (done.logServerIds.length > 0) ctx.events.emit('logs.committed', { serverIds: done.logServerIds });
    touch([...done.metricServerIds, ...done.logServerIds]);
  });

  let agent: Agent | null = null;
  const handle: IngestHandle = {
    writer,
    service,
    syslog,
    syslogPorts: { udp: 0, tcp: 0 },
    routes: (app) =>
      ingestRoutes(app, { service, state, clock: ctx.clock, maxBodyBytes: c.max_body_bytes, limits }),
    jobs: [
      {
        // Keys are small, but one per request adds up; an hour's slack past the retention is fine.
        name: 'ingest-idempotency-expiry',
        everyMs: Math.min(3_600_000, c.idempotency_retention),
        run: async () => {
          const before = new Date(ctx.clock.now().getTime() - c.idempotency_retention);
          const removed = await withRole(ctx.pool, 'admin', (client) =>
            deleteIngestRequestsBefore(client, before),
          );
          if (removed > 0) ctx.logger.debug({ job: 'ingest-idempotency-expiry', removed }, 'keys expired');
        },
      },
      ...(c.scrape_targets.length === 0
        ? []
        : [
            {
              name: 'ingest-scrape',
              everyMs: c.scrape_interval,
              run: (signal: AbortSignal) =>
                scrapeAll(
                  {
                    targets: c.scrape_targets,
                    service,
                    state,
                    clock: ctx.clock,
                    logger: ctx.logger,
                    limits,
                    maxBodyBytes: c.max_body_bytes,
                    timeoutMs: Math.min(10_000, c.scrape_interval),
                  },
                  signal,
                ),
            },
          ]),
    ],
    async afterListen() {
      handle.syslogPorts = await syslog.start();
      if (!ctx.config.agent.enabled) return;
      // The state file goes in data_dir, which exists unless the database is external and the
      // encryption key configured; if it cannot be made, the agent warns when it cannot save.
      const dataDir = ctx.config.server.data_dir;
      await mkdir(dataDir, { recursive: true, mode: 0o711 }).catch(() => undefined);
      // The local host's agent writes through the service directly: same checks, no token.
      agent = new Agent({
        intervalMs: ctx.config.agent.interval,
        now: () => ctx.clock.now(),
        procRoot: options.agentProcRoot,
        // Its last network and cpu readings, so the first sample after a Vigil restart has its deltas.
        statePath: join(dataDir, LOCAL_AGENT_STATE_FILE),
        log: (level, message, fields) => ctx.logger[level]({ component: 'agent', ...fields }, message),
        sink: async (batch) => {
          const result = parseJsonMetrics(batch, limitsAt(ctx.clock.now().getTime(), limits));
          await service.ingest('ingest', result).catch((e: unknown) => {
            if (!(e instanceof AppError)) throw e;
            ctx.logger.warn({ component: 'agent', code: e.code }, e.message);
          });
        },
      });
      agent.start();
    },
    async stop() {
      await agent?.stop();
      await syslog.stop();
      await writer.close();
      await touching;
    },
  };
  return handle;
}

export const ingestModule: VigilModule = { name: 'ingest', start: startIngest };
