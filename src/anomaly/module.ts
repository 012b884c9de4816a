// The anomaly module: scores servers' new samples after ingest commits ('metrics.committed'),
// retrains isolation forests on a schedule, catches up on anything an event did not announce
// (startup, a lost event, an ingest process elsewhere), and serves the anomalies API.
//
// Scoring passes never overlap: events arriving during a pass only add their server ids to a
// pending set, and the pass loops until that set is empty. A burst of a hundred commits is
// therefore a handful of passes, each over every server touched so far, never a queue of a
// hundred. The runner itself also serialises (retraining waits for scoring and vice versa).
import type { VigilModule } from '../module.ts';
import { anomalyRoutes } from './routes.ts';
import { createAnomalyRunner, type AnomalyRunner } from './runner.ts';

export const RETRAIN_JOB = 'anomaly-retrain';
export const CATCHUP_JOB = 'anomaly-catchup';

/** Coalesces scoring requests into one pass at a time. */
export class ScoringQueue {
  private readonly pending = new Set<string>();
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly runner: AnomalyRunner,
    private readonly onAnomalies: (serverIds: string[]) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Schedules these servers; resolves when a pass that includes them has finished. */
  request(serverIds: readonly (number | string | bigint)[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    for (const id of serverIds) this.pending.add(String(id));
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const ids = [...this.pending];
        this.pending.clear();
        try {
          const summary = await this.runner.onBatchCommitted(ids);
          if (summary.anomalousServers.length > 0) this.onAnomalies(summary.anomalousServers);
        } catch (err) {
          // The watermark did not move, so the catch-up job retries these servers.
          this.onError(err);
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** Refuses new work and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await this.running;
  }
}

export const anomalyModule: VigilModule = {
  name: 'anomaly',
  start(ctx) {
    const cfg = ctx.config.anomaly;
    const routes = { routes: (app: Parameters<typeof anomalyRoutes>[0]) => anomalyRoutes(app, ctx) };
    if (!cfg.enabled) return routes;
    const logger = ctx.logger.child({ module: 'anomaly' });
    const runner = createAnomalyRunner({
      db: ctx.pool,
      logger,
      clock: ctx.clock,
      config: { warmupHours: cfg.warmup_hours, defaultSensitivity: cfg.sensitivity },
    });
    const queue = new ScoringQueue(
      runner,
      (ids) => ctx.events.emit('anomaly.detected', { serverIds: ids.map(Number) }),
      (err) => logger.error({ err }, 'anomaly scoring pass failed'),
    );
    const off = ctx.events.on('metrics.committed', (e) => queue.request(e.serverIds));
    return {
      ...routes,
      jobs: [
        {
          name: RETRAIN_JOB,
          everyMs: cfg.retrain_interval,
          // Forests train themselves once their window fills; a retrain at boot would only
          // repeat the warmup's work.
          runAtStart: false,
          run: () => runner.retrain(),
        },
        {
          name: CATCHUP_JOB,
          everyMs: cfg.catchup_interval,
          run: async () => {
            const behind = await runner.serversBehind();
            if (behind.length > 0) await queue.request(behind);
            return behind.length;
          },
        },
      ],
      stop: async () => {
        off();
        await queue.stop();
      },
    };
  },
};
