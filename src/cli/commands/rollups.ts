import type { Command } from 'commander';
import { refreshDaily, refreshHourly, refreshViews, stageStates } from '../../rollups/index.ts';
import { loadConfigOrExit, printTable, withDatabase } from '../context.ts';

export function registerRollups(program: Command): void {
  const cmd = program.command('rollups').description('Rollup and dashboard-view maintenance');
  cmd
    .command('status')
    .description('Each stage: last run, as_of, pending dirty buckets')
    .action(async () => {
      await withDatabase(loadConfigOrExit(), async (db) =>
        printTable(await stageStates(db.pool), [
          'stage',
          'as_of',
          'last_run_at',
          'last_duration_ms',
          'last_buckets',
          'pending_buckets',
          'oldest_pending',
        ]),
      );
    });
  cmd
    .command('refresh')
    .description('Re-aggregate every dirty hour and day now and refresh the views (waits for a running job)')
    .action(async () => {
      const config = loadConfigOrExit();
      await withDatabase(config, async (db) => {
        const now = new Date();
        const h = await refreshHourly(db.pool, { now, batchBuckets: config.rollups.batch_hours });
        process.stderr.write(
          `hourly: ${h.buckets} (server, hour) buckets in ${Math.round(h.durationMs)} ms\n`,
        );
        const d = await refreshDaily(db.pool, { now });
        process.stderr.write(`daily: ${d.buckets} (server, day) buckets in ${Math.round(d.durationMs)} ms\n`);
        const v = await refreshViews(db.pool, { now });
        process.stderr.write(
          `views: ${JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, ms]) => [k, Math.round(ms)])))} ms\n`,
        );
      });
    });
}
