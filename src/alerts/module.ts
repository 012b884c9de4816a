// The alerts module as Vigil runs it: evaluation after each committed ingest batch (and anomaly
// batch), a timer job for timing-based transitions, the notifier and the outbox worker, and the
// routes. In tests (not listening) nothing runs on its own except the event subscriptions; tests
// drive evaluation, notification and delivery through alertsRuntime(ctx).
import type { ModuleContext, StartedModule, VigilModule } from '../module.ts';
import { registerAlertRoutes } from './api/index.ts';
import { DeliveryWorker } from './delivery.ts';
import { AlertEngine, type EvaluationReport } from './engine.ts';
import { type NotifierResult, runNotifier } from './notifier.ts';
import { enqueue } from './queries-notify.ts';

export interface AlertsRuntime {
  engine: AlertEngine;
  delivery: DeliveryWorker;
  /** Queues due notifications (grouping, repeats, silences) into the outbox. */
  notify(): Promise<NotifierResult>;
  /** Notifier, then delivery of everything due, waiting for the sends (tests). */
  flush(): Promise<NotifierResult>;
  /** Observers for benchmarks and self-metrics. */
  reports: { onEvaluation?: (r: EvaluationReport) => void; onDelivered?: (id: number) => void };
}

const runtimes = new WeakMap<ModuleContext, AlertsRuntime>();

/** The running alerts module of a Vigil instance (for tests, the bench and the CLI). */
export function alertsRuntime(ctx: ModuleContext): AlertsRuntime {
  const rt = runtimes.get(ctx);
  if (!rt) throw new Error('the alerts module is not running in this Vigil');
  return rt;
}

export const alertsModule: VigilModule = {
  name: 'alerts',
  start(ctx): StartedModule {
    const c = ctx.config.alerts;
    const log = ctx.logger.child({ module: 'alerts' });
    let live = false;
    let timer: NodeJS.Timeout | null = null;
    let timerAt = Infinity;
    let running: Promise<void> | null = null;
    const reports: AlertsRuntime['reports'] = {};

    const delivery = new DeliveryWorker({
      pool: ctx.pool,
      clock: ctx.clock,
      cipher: ctx.cipher,
      logger: log,
      timeoutMs: c.delivery_timeout,
      maxAttempts: c.delivery_max_attempts,
      backoffMs: c.delivery_backoff,
      backoffMaxMs: c.delivery_backoff_max,
      concurrency: c.delivery_concurrency,
      onDelivered: (id) => reports.onDelivered?.(id),
    });
    const notify = () =>
      runNotifier({
        pool: ctx.pool,
        clock: ctx.clock,
        groupWindowMs: c.group_window,
        repeatMs: c.repeat_interval,
      });

    // Notifier + delivery in one single-flight pass; woken early when alerts change or a held
    // group becomes due, instead of waiting for the next notify_interval tick.
    const pass = async () => {
      const r = await notify();
      await delivery.poll();
      if (r.nextDueAt) wake(r.nextDueAt.getTime() - ctx.clock.now().getTime());
    };
    // A wake-up during a pass must not be lost: the pass may have read its candidates before
    // the change that woke it, so it runs once more afterwards.
    let again = false;
    const runPass = (): Promise<void> => {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await pass().catch((e: unknown) => log.error({ err: e }, 'notifier pass failed'));
        } while (again && live);
      })().finally(() => {
        running = null;
      });
      return running;
    };
    function wake(delayMs = 0): void {
      if (!live) return;
      const at = Date.now() + Math.max(0, delayMs);
      if (timer && timerAt <= at) return;
      if (timer) clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(
        () => {
          timer = null;
          timerAt = Infinity;
          void runPass().then(() => undefined);
        },
        Math.max(0, delayMs),
      );
      timer.unref();
    }

    const engine = new AlertEngine({
      pool: ctx.pool,
      clock: ctx.clock,
      events: ctx.events,
      logger: log,
      concurrency: c.evaluation_concurrency,
      onChanges: () => wake(0),
      onReport: (r) => reports.onEvaluation?.(r),
    });
    const runtime: AlertsRuntime = {
      engine,
      delivery,
      notify,
      reports,
      flush: async () => {
        const r = await notify();
        await delivery.drain();
        return r;
      },
    };
    runtimes.set(ctx, runtime);

    const unsubscribe: (() => void)[] = [];
    if (c.enabled) {
      unsubscribe.push(
        ctx.events.on('metrics.committed', ({ serverIds }) => engine.enqueue(serverIds)),
        ctx.events.on('anomaly.detected', ({ serverIds }) => engine.enqueue(serverIds)),
        ctx.events.on('notification.requested', async (n) => {
          await enqueue(
            ctx.pool,
            [
              {
                channel_name: n.channel,
                source: n.source,
                dedup_key: n.dedupKey,
                payload: {
                  title: n.title,
                  text: n.text,
                  severity: n.severity,
                  source: n.source,
                  ...(n.incidentId === undefined ? {} : { incident_id: n.incidentId }),
                },
              },
            ],
            ctx.clock.now(),
          );
          wake(0);
        }),
      );
    }

    return {
      routes: (app) => registerAlertRoutes(app, ctx, runtime),
      jobs: c.enabled
        ? [
            {
              name: 'alerts.evaluate',
              everyMs: c.evaluation_interval,
              // Not through the ingest queue: batches keep flowing while the full pass runs, and
              // the per-rule advisory lock orders the two on any rule they share.
              run: () => engine.evaluate(null),
            },
            { name: 'alerts.notify', everyMs: c.notify_interval, run: () => runPass() },
          ]
        : [],
      afterListen: () => {
        live = true;
        delivery.continuous = true;
      },
      stop: async () => {
        live = false;
        delivery.continuous = false;
        if (timer) clearTimeout(timer);
        for (const u of unsubscribe) u();
        await engine.idle();
        await running;
      },
    };
  },
};
