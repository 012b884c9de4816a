import type { Command } from 'commander';
import { loadConfigOrExit } from '../context.ts';
import { runInForeground } from '../foreground.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Run Vigil: database (embedded unless DATABASE_URL), migrations, API, dashboard, jobs, local agent',
    )
    .option('-p, --port <port>', 'HTTP port (server.port)')
    .option('--host <host>', 'bind address (server.host)')
    .option('--no-agent', 'do not monitor the local host in-process')
    .option('--demo', 'also seed a simulated fleet (see `vigil demo`)')
    .action(async (opts: { port?: string; host?: string; agent: boolean; demo?: boolean }) => {
      const config = loadConfigOrExit({
        server: { ...(opts.port ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) },
        ...(opts.agent ? {} : { agent: { enabled: false } }),
      });
      await runInForeground(config, opts.demo ? {} : null);
    });
}
