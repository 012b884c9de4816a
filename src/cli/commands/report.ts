import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { makeReport, parseFormat, renderReport, REPORT_FORMATS, REPORT_KINDS } from '../../rollups/index.ts';
import { loadConfigOrExit, reportAndExit, withDatabase } from '../context.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Daily or weekly report: availability, p95 cpu/memory, top offenders, alerts, MTTA/MTTR')
    .argument('<kind>', REPORT_KINDS.join(' or '))
    .option('--region <region>', 'only this region')
    .option('--format <format>', REPORT_FORMATS.join(', '), 'html')
    .option('--date <YYYY-MM-DD>', 'first UTC day of the period (default: the last whole period)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (kind: string, opts: { region?: string; format: string; date?: string; out?: string }) => {
      const config = loadConfigOrExit();
      await withDatabase(config, async (db) => {
        try {
          const format = parseFormat(opts.format);
          const report = await makeReport(db.pool, {
            kind,
            date: opts.date,
            region: opts.region ?? null,
            now: new Date(),
          });
          const text = renderReport(report, format);
          if (opts.out) {
            writeFileSync(opts.out, text);
            process.stderr.write(`wrote ${opts.out} (${report.servers.length} servers)\n`);
          } else process.stdout.write(text);
        } catch (e) {
          reportAndExit(e);
        }
      });
    });
}
