import type { Command } from 'commander';
import { migrate } from '../../db/migrator.ts';
import { loadConfigOrExit, withDatabase } from '../context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (safe to run again; takes an advisory lock)')
    .action(async () => {
      const config = loadConfigOrExit();
      await withDatabase(config, async (db) => {
        const applied = await migrate(db.pool, {
          onApply: (v, ms) => console.log(`applied ${v} (${Math.round(ms)} ms)`),
        });
        console.log(
          applied.length === 0
            ? 'schema is current: nothing to apply'
            : `applied ${applied.length} migrations`,
        );
      });
    });
}
