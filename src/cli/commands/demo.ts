// `vigil demo`: runs Vigil like `vigil start` with a simulated fleet seeded into its database
// (see src/demo/seed.ts), so every dashboard page has something to show.
import type { Command } from 'commander';
import { loadConfigOrExit } from '../context.ts';
import { type DemoFlags, runInForeground } from '../foreground.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run Vigil with a simulated fleet: servers in 3 regions, history, a firing alert, an incident and an anomaly',
    )
    .option('-p, --port <port>', 'HTTP port (server.port)')
    .option('--servers <n>', 'number of simulated servers', '50')
    .option('--days <n>', 'days of history', '30')
    .action(async (opts: DemoFlags & { port?: string }) => {
      const config = loadConfigOrExit({
        server: opts.port ? { port: opts.port } : {},
        agent: { enabled: false },
      });
      await runInForeground(config, { servers: opts.servers, days: opts.days });
    });
}
