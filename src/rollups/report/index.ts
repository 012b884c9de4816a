// Reports: build the data once, render it as JSON, CSV or self-contained HTML.
import type { Queryable } from '../../db/pool.ts';
import { invalid } from '../params.ts';
import { reportCsv } from './csv.ts';
import { buildReport, type Report, reportPeriod } from './data.ts';
import { reportHtml } from './html.ts';

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function parseFormat(raw: string | undefined): ReportFormat {
  const f = raw ?? 'json';
  if (!(REPORT_FORMATS as readonly string[]).includes(f))
    throw invalid('format', `must be one of ${REPORT_FORMATS.join(', ')}`, raw);
  return f as ReportFormat;
}

export async function makeReport(
  db: Queryable,
  opts: { kind: string; date?: string; region?: string | null; now: Date },
): Promise<Report> {
  const period = reportPeriod(opts.kind, opts.date, opts.now);
  return buildReport(db, period, opts.region ?? null, opts.now);
}

export function renderReport(r: Report, format: ReportFormat): string {
  if (format === 'csv') return reportCsv(r);
  if (format === 'html') return reportHtml(r);
  return `${JSON.stringify(r, null, 2)}\n`;
}

export { REPORT_KINDS, type Report } from './data.ts';
