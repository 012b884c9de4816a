// `vigil report incidents`: MTTA, MTTR and incident counts per severity, region and week.
// `report` may also get other subcommands (rollups: daily|weekly), so this file only adds the
// `incidents` subcommand to an existing `report` command, creating `report` when nobody has.
import type { Command } from 'commander';
import { formatReport, incidentReport, reportWindow } from '../../incidents/index.ts';
import { fail, loadConfigOrExit, reportAndExit, withDatabase } from '../context.ts';

export function addIncidentReport(report: Command): void {
  report
    .command('incidents')
    .description('Incident report: MTTA, MTTR, counts per severity, region and week')
    .option('--days <n>', 'the last n days up to now (or up to --to)', '30')
    .option('--from <time>', 'start (ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z), inclusive')
    .option('--to <time>', 'end (ISO 8601), exclusive; default now')
    .option('--json', 'print JSON (the same shape as GET /api/v1/reports/incidents)')
    .action(async (opts: { days: string; from?: string; to?: string; json?: boolean }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660)
        fail('--days must be an integer from 1 to 3660', 2);
      let window: [Date, Date];
      try {
        window = reportWindow(new Date(), { from: opts.from, to: opts.to, days });
      } catch (e) {
        return reportAndExit(e);
      }
      await withDatabase(loadConfigOrExit(), async (db) => {
        const report = await incidentReport(db.pool, ...window);
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
      });
    });
}

/** Registers `report incidents`, creating the `report` command if no other file did. */
export function registerIncidentReport(program: Command): void {
  const existing = program.commands.find((c) => c.name() === 'report');
  addIncidentReport(existing ?? program.command('report').description('Reports over the stored data'));
}
