import type { Command } from 'commander';
import { explainQuery, NAMED_QUERIES } from '../../rollups/index.ts';
import { fail, loadConfigOrExit, withDatabase } from '../context.ts';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('EXPLAIN (ANALYZE, BUFFERS) of each named dashboard query on the current data')
    .argument('[query]', `one of ${Object.keys(NAMED_QUERIES).join(', ')} (default: all)`)
    .action(async (query: string | undefined) => {
      const names = query ? [query] : Object.keys(NAMED_QUERIES);
      for (const n of names)
        if (!NAMED_QUERIES[n])
          fail(`unknown query "${n}"; known: ${Object.keys(NAMED_QUERIES).join(', ')}`, 2);
      const config = loadConfigOrExit();
      await withDatabase(config, async (db) => {
        for (const n of names) {
          console.log(`── ${n}: ${NAMED_QUERIES[n]?.about}`);
          console.log(await explainQuery(db.pool, n, new Date()));
          console.log('');
        }
      });
    });
}
