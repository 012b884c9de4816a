// Rows in primary-key order with duplicates folded. In key order the btree is filled page by
// page instead of at a thousand places at once, and a duplicate inside one batch would make
// ON CONFLICT DO UPDATE fail ("cannot affect row a second time"), so it is merged here: a later
// non-null value wins, as in vigil.merge_server_metrics.
import { METRIC_COLUMNS } from '../core/types.ts';
import type { WriteMetric, WriteSample } from './copy-binary.ts';

export function sortMetrics(rows: WriteMetric[]): WriteMetric[] {
  if (rows.length < 2) return rows;
  rows.sort((a, b) => a.serverId - b.serverId || a.tsUs - b.tsUs);
  const out: WriteMetric[] = [rows[0] as WriteMetric];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] as WriteMetric;
    const last = out[out.length - 1] as WriteMetric;
    if (r.serverId !== last.serverId || r.tsUs !== last.tsUs) {
      out.push(r);
      continue;
    }
    const merged = { ...last };
    for (const c of METRIC_COLUMNS) if (r[c] !== null) merged[c] = r[c];
    out[out.length - 1] = merged;
  }
  return out;
}

export function sortSamples(rows: WriteSample[]): WriteSample[] {
  if (rows.length < 2) return rows;
  rows.sort((a, b) => a.seriesId - b.seriesId || a.tsUs - b.tsUs);
  // The first sample of a (series, time) is kept, as ON CONFLICT DO NOTHING would keep it.
  return rows.filter((r, i) => {
    const prev = rows[i - 1];
    return !prev || prev.seriesId !== r.seriesId || prev.tsUs !== r.tsUs;
  });
}
