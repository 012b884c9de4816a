// Keeps day partitions ready ahead of time (the job runs at start and then hourly).
import type { VigilModule } from '../module.ts';
import { ensurePartitionsAround } from './partitions.ts';

export const partitionsModule: VigilModule = {
  name: 'partitions',
  start(ctx) {
    const { partitions_ahead_days: ahead, partitions_behind_days: behind } = ctx.config.database;
    return {
      jobs: [
        {
          name: 'partitions',
          everyMs: 3_600_000,
          run: async () => {
            const made = await ensurePartitionsAround(ctx.pool, ctx.clock.now(), ahead, behind);
            if (made > 0) ctx.logger.info({ job: 'partitions', made }, 'created partitions');
          },
        },
      ],
    };
  },
};
