// The incident report: MTTA and MTTR (mean and median) overall and per severity, region and
// week, for the API and `vigil report incidents`. One query with GROUPING SETS does the work.
import { validationError } from '../core/errors.ts';
import type { Queryable } from '../db/pool.ts';
import { incidentReportRows, type ReportBucket } from './queries.ts';
import { formatSeconds } from './postmortem.ts';

export interface IncidentReport {
  from: string;
  to: string;
  total: ReportBucket;
  by_severity: (ReportBucket & { severity: string })[];
  by_region: (ReportBucket & { region: string })[];
  by_week: (ReportBucket & { week: string })[];
}

const EMPTY: ReportBucket = {
  incidents: 0,
  acknowledged: 0,
  resolved: 0,
  open: 0,
  mtta_seconds: null,
  mtta_p50_seconds: null,
  mttr_seconds: null,
  mttr_p50_seconds: null,
};

/** The window [from, to): explicit bounds, or the last `days` days up to now. */
export function reportWindow(now: Date, opts: { from?: string; to?: string; days?: number }): [Date, Date] {
  const to = opts.to ? new Date(opts.to) : now;
  const days = opts.days ?? 30;
  const from = opts.from ? new Date(opts.from) : new Date(to.getTime() - days * 86_400_000);
  if (Number.isNaN(from.getTime())) throw validationError('from is not a valid time', { field: 'from' });
  if (Number.isNaN(to.getTime())) throw validationError('to is not a valid time', { field: 'to' });
  if (from >= to) throw validationError('from must be before to', { field: 'from' });
  return [from, to];
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

export async function incidentReport(db: Queryable, from: Date, to: Date): Promise<IncidentReport> {
  const rows = await incidentReportRows(db, from, to);
  const bucket = (r: (typeof rows)[number]): ReportBucket => ({
    incidents: r.incidents,
    acknowledged: r.acknowledged,
    resolved: r.resolved,
    open: r.open,
    mtta_seconds: round(r.mtta_seconds),
    mtta_p50_seconds: round(r.mtta_p50_seconds),
    mttr_seconds: round(r.mttr_seconds),
    mttr_p50_seconds: round(r.mttr_p50_seconds),
  });
  const of = (d: string) => rows.filter((r) => r.dimension === d);
  const total = of('total')[0];
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: total && total.incidents > 0 ? bucket(total) : EMPTY,
    by_severity: of('severity').map((r) => ({ severity: r.key ?? '', ...bucket(r) })),
    by_region: of('region').map((r) => ({ region: r.key ?? '', ...bucket(r) })),
    by_week: of('week').map((r) => ({ week: r.key ?? '', ...bucket(r) })),
  };
}

/** Plain-text tables for the CLI. */
export function formatReport(r: IncidentReport): string {
  const head = ['', 'incidents', 'open', 'MTTA', 'MTTA p50', 'MTTR', 'MTTR p50'];
  const line = (name: string, b: ReportBucket) => [
    name,
    String(b.incidents),
    String(b.open),
    formatSeconds(b.mtta_seconds),
    formatSeconds(b.mtta_p50_seconds),
    formatSeconds(b.mttr_seconds),
    formatSeconds(b.mttr_p50_seconds),
  ];
  const table = (title: string, rows: string[][]) => {
    const all = [[title, ...head.slice(1)], ...rows];
    const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    return all.map((r) =>
      r.map((v, i) => (i === 0 ? v.padEnd(w[i] ?? 0) : v.padStart(w[i] ?? 0))).join('  '),
    );
  };
  return [
    `Incidents created ${r.from} – ${r.to}`,
    '',
    ...table('total', [line('all', r.total)]),
    '',
    ...table(
      'severity',
      r.by_severity.map((b) => line(b.severity, b)),
    ),
    '',
    ...table(
      'region',
      r.by_region.map((b) => line(b.region, b)),
    ),
    '',
    ...table(
      'week (Mon, UTC)',
      r.by_week.map((b) => line(b.week, b)),
    ),
  ].join('\n');
}
