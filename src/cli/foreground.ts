// Running Vigil in the foreground until SIGINT/SIGTERM, optionally with the demo fleet seeded:
// what `vigil start` and `vigil demo` share.
import type { Config } from '../config/index.ts';
import { ReplayClock } from '../demo/clock.ts';
import { seedDemo } from '../demo/seed.ts';
import { createLogger } from '../logger.ts';
import { startVigil, type Vigil } from '../main.ts';
import { fail, reportAndExit } from './context.ts';

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
  const r = await seedDemo(
    { pool: vigil.db.pool, ctx: vigil.ctx },
    {
      servers,
      days,
      fineHours: 24,
      onProgress: (step) => process.stdout.write(`  ${step}…\n`),
    },
  );
  process.stdout.write(
    r.seeded
      ? `Demo fleet ready in ${((Date.now() - started) / 1000).toFixed(1)} s: open ${vigil.url}/#/${r.incidentId ? ` (incident: ${vigil.url}/#/incidents/${r.incidentId})` : ''}.\n`
      : `A demo fleet of ${r.servers} servers is already there; open ${vigil.url}/#/.\n`,
  );
}

/**
 * Starts Vigil in the foreground until SIGINT/SIGTERM: what `vigil start` and `vigil demo` share.
 * With a demo, a ReplayClock lets the seeder run the alert engine over the last hours, so the
 * fleet has real alert episodes and incidents at once (src/demo/clock.ts).
 */
export async function runInForeground(config: Config, demo: DemoFlags | null): Promise<Vigil> {
  const logger = createLogger(config.server.log_level);
  let vigil: Vigil;
  try {
    vigil = await startVigil({ config, logger, ...(demo ? { clock: new ReplayClock() } : {}) });
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
  if (demo) await seedForDemo(vigil, demo).catch(reportAndExit);
  return vigil;
}
