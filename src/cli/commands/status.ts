import type { Command } from 'commander';
import { redactUrl } from '../../db/pool.ts';
import { checkSchema } from '../../db/migrator.ts';
import { partitionSummary } from '../../storage/partitions.ts';
import { loadConfigOrExit, printTable, withDatabase } from '../context.ts';
import { statusCounts } from '../queries.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Database, schema, partitions ahead and row counts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfigOrExit();
      await withDatabase(config, async (db) => {
        const schema = await checkSchema(db.pool);
        const partitions = await partitionSummary(db.pool, new Date());
        const counts = await statusCounts(db.pool);
        const database = db.embedded ? `embedded (${config.server.data_dir}/pg)` : redactUrl(db.url);
        if (opts.json) {
          console.log(JSON.stringify({ database, schema, partitions, counts }, null, 2));
          return;
        }
        console.log(`database:   ${database}`);
        console.log(
          `schema:     ${schema.applied.length} migrations applied, ${schema.pending.length} pending${schema.pending.length ? ` (${schema.pending.join(', ')}): run vigil migrate` : ''}`,
        );
        console.log('\npartitions:');
        printTable(partitions, ['table', 'partitions', 'first_day', 'last_day', 'days_ahead']);
        console.log('\nrows (estimated for large tables):');
        printTable(counts, ['table', 'rows']);
      });
    });
}
