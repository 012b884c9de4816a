// CSV of a report: one row per server (RFC 4180 quoting), the columns a spreadsheet wants.
import type { Report, ServerLine } from './data.ts';

const COLUMNS: (keyof ServerLine)[] = [
  'hostname',
  'region',
  'samples',
  'availability',
  'cpu_usage_avg',
  'cpu_usage_p95',
  'memory_usage_avg',
  'memory_usage_p95',
  'disk_usage_max',
  'network_in_bytes',
  'network_out_bytes',
  'alerts',
  'errors',
];

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 10000) / 10000) : String(v);
  // Quote what needs it, and defuse spreadsheet formulas in text cells.
  const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function reportCsv(r: Report): string {
  const lines = [COLUMNS.join(',')];
  for (const s of r.servers) lines.push(COLUMNS.map((c) => cell(s[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
