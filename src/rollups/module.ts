// The rollups module: jobs that keep metrics_hourly, metrics_daily and the dashboard views
// current, and the query API (servers, series, fleet, logs, reports).
import type { VigilModule } from '../module.ts';
import { refreshDaily, refreshHourly, refreshViews } from './refresh.ts';
import { registerQueryRoutes } from './routes/index.ts';

export const rollupsModule: VigilModule = {
  name: 'rollups',
  start(ctx) {
    const cfg = ctx.config.rollups;
    const log = (job: string, fields: object) => ctx.logger.debug({ job, ...fields }, 'rollups refreshed');
    return {
      routes: (app) => registerQueryRoutes(app, ctx),
      jobs: cfg.enabled
        ? [
            {
              name: 'rollups-hourly',
              everyMs: cfg.hourly_interval,
              run: async (signal) => {
                // wait: false — another process holding the lock is doing this work already.
                const r = await refreshHourly(ctx.pool, {
                  now: ctx.clock.now(),
                  batchBuckets: cfg.batch_hours,
                  wait: false,
                  signal,
                });
                log('rollups-hourly', r);
              },
            },
            {
              name: 'rollups-daily',
              everyMs: cfg.daily_interval,
              run: async (signal) => {
                const r = await refreshDaily(ctx.pool, { now: ctx.clock.now(), wait: false, signal });
                log('rollups-daily', r);
              },
            },
            {
              name: 'rollups-views',
              everyMs: cfg.views_interval,
              run: async () => {
                const r = await refreshViews(ctx.pool, { now: ctx.clock.now(), wait: false });
                log('rollups-views', r);
              },
            },
          ]
        : [],
    };
  },
};
