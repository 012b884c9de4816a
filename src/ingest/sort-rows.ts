// Samples in primary-key order with duplicates dropped: in key order the btree is filled page by
// page instead of at a thousand places at once. (server_metrics rows: sortedBlock in
// metric-block.ts.)
import type { WriteSample } from './copy-binary.ts';

export function sortSamples(rows: WriteSample[]): WriteSample[] {
  if (rows.length < 2) return rows;
  rows.sort((a, b) => a.seriesId - b.seriesId || a.tsUs - b.tsUs);
  // The first sample of a (series, time) is kept, as ON CONFLICT DO NOTHING would keep it.
  return rows.filter((r, i) => {
    const prev = rows[i - 1];
    return !prev || prev.seriesId !== r.seriesId || prev.tsUs !== r.tsUs;
  });
}
