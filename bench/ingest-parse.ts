// Node CPU per row of the JSON metrics parse and row checks alone (no HTTP, no database), for
// the bodies bench/ingest.ts posts: the JSON.parse path (the baseline, measured in the same run)
// against parseJsonMetrics, which takes the single-pass scanner for these bodies.
// `npm run bench -- ingest-parse [--servers 1000] [--steps 100] [--rounds 5]`
import { parseArgs } from 'node:util';
import { limitsAt } from '../src/ingest/index.ts';
import { parseJsonMetrics, parseJsonMetricsSlow } from '../src/ingest/parsers/json.ts';
import { makeRows, toBodies } from './_ingest-data.ts';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
  },
});
const now = Date.now();
const limits = limitsAt(now);
const rows = makeRows(Number(args.servers), Number(args.steps), now);
const bodies = toBodies(rows, 5000);

/** Best of `rounds` passes over every body, in µs of process CPU per row (the collector's threads included). */
function measure(parse: typeof parseJsonMetrics): number {
  let best = Infinity;
  for (let round = 0; round < Number(args.rounds); round++) {
    const t0 = process.cpuUsage();
    let accepted = 0;
    for (const body of bodies) {
      const r = parse(body, limits);
      accepted += r.metrics.length + (r.columns?.length ?? 0);
    }
    const t = process.cpuUsage(t0);
    if (accepted !== rows.length) throw new Error(`accepted ${accepted} of ${rows.length}`);
    best = Math.min(best, (t.user + t.system) / rows.length);
  }
  return best;
}

// Alternate, so neither side gets all the warm JIT or all the quiet moments.
measure(parseJsonMetricsSlow);
measure(parseJsonMetrics);
const slow = measure(parseJsonMetricsSlow);
const fast = measure(parseJsonMetrics);
console.log(
  JSON.stringify({
    bench: 'ingest-parse',
    rows: rows.length,
    json_parse_us_per_row: Math.round(slow * 100) / 100,
    scanner_us_per_row: Math.round(fast * 100) / 100,
    ratio: Math.round((fast / slow) * 100) / 100,
  }),
);
