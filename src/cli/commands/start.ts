import type { Command } from 'commander';
import { createLogger } from '../../logger.ts';
import { startVigil } from '../../main.ts';
import { loadConfigOrExit, reportAndExit } from '../context.ts';
import { seedForDemo } from './demo.ts';

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
      const logger = createLogger(config.server.log_level);
      let vigil;
      try {
        vigil = await startVigil({ config, logger });
      } catch (e) {
        reportAndExit(e);
      }
      if (vigil.bootstrapToken) {
        // Printed once, to the terminal, never to the log.
        process.stdout.write(
          `\nFirst start: created user "admin". Its API token (shown once, also in ${vigil.bootstrapToken.file}):\n\n` +
            `  ${vigil.bootstrapToken.token}\n\n`,
        );
      }
      process.stdout.write(
        `Vigil is running at ${vigil.url}  (dashboard: ${vigil.url}/, API docs: ${vigil.url}/openapi.json)\n`,
      );
      if (opts.demo) await seedForDemo(vigil).catch(reportAndExit);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        void vigil.close().then(
          () => process.exit(0),
          (e: unknown) => {
            logger.error({ err: e }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
