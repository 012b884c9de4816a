// `vigil demo`: runs Vigil like `vigil start` with a simulated fleet seeded into its database
// (see src/demo/seed.ts), so every dashboard page has something to show.
import type { Command } from 'commander';
import { seedDemo } from '../../demo/seed.ts';
import { createLogger } from '../../logger.ts';
import { startVigil, type Vigil } from '../../main.ts';
import { fail, loadConfigOrExit, reportAndExit } from '../context.ts';

export interface DemoFlags {
  servers?: string;
  days?: string;
}

/** Seeds the demo fleet into a running Vigil and tells the user where to look. */
export async function seedForDemo(vigil: Vigil, flags: DemoFlags = {}): Promise<void> {
  const servers = Number(flags.servers ?? 50);
  const days = Number(flags.days ?? 30);
  if (!Number.isInteger(servers) || servers < 5 || servers > 5000) fail('--servers must be 5..5000');
  if (!Number.isInteger(days) || days < 1 || days > 60) fail('--days must be 1..60');
  const started = Date.now();
  process.stdout.write(`Seeding the demo fleet (${servers} servers, ${days} days of history)…\n`);
  const r = await seedDemo(vigil.db.pool, {
    servers,
    days,
    fineHours: 24,
    now: vigil.ctx.clock.now(),
    onProgress: (step) => process.stdout.write(`  ${step}…\n`),
  });
  process.stdout.write(
    r.seeded
      ? `Demo fleet ready in ${((Date.now() - started) / 1000).toFixed(1)} s: open ${vigil.url}/#/ (incident: ${vigil.url}/#/incidents/${r.incidentId}).\n`
      : `A demo fleet of ${r.servers} servers is already there; open ${vigil.url}/#/.\n`,
  );
}

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
      const logger = createLogger(config.server.log_level);
      let vigil: Vigil;
      try {
        vigil = await startVigil({ config, logger });
        if (vigil.bootstrapToken) {
          process.stdout.write(
            `\nCreated user "admin". Its API token (also in ${vigil.bootstrapToken.file}):\n\n  ${vigil.bootstrapToken.token}\n\n`,
          );
        }
        await seedForDemo(vigil, opts);
      } catch (e) {
        reportAndExit(e);
      }
      const stop = () =>
        void vigil.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
