// `vigil detect`: score a NAB-format CSV (timestamp,value) with the shipped anomaly
// detector and write timestamp,value,anomaly_score,alarm, same rows, same order. It is the
// evaluation entry point (bench/anomaly.ts scores its output with NAB's rules), so it runs
// the product's own detector code and defaults, nothing tuned for the benchmark.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DETECTORS, detectSeries, isDetectorName, type DetectorName } from '../../anomaly/index.ts';

/** A problem with the input file; `line` is the 1-based line number in the file. */
export class DetectInputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'DetectInputError';
  }
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses "2014-04-01 00:05:00", "2014-04-01 00:05:00.000000" or ISO 8601 with an offset.
 * A timestamp without an offset is UTC (NAB's files are naive UTC). NaN if invalid.
 */
export function parseTimestamp(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  const ms = frac ? Math.round(Number(`0${frac}`) * 1000) : 0;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, ms);
  // Date.UTC rolls 2014-02-31 over into March; a round trip catches impossible dates.
  const back = new Date(utc);
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s > 59) {
    return NaN;
  }
  if (zone === 'Z') return utc;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

export interface ParsedSeries {
  /** Original timestamp and value text, written back unchanged. */
  tsText: string[];
  valueText: string[];
  tsMs: Float64Array;
  values: Float64Array;
}

/** Parses NAB-format CSV text; throws DetectInputError naming the offending line. */
export function parseSeriesCsv(text: string): ParsedSeries {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').replace(/^\uFEFF/, '');
  const cols = header.split(',').map((c) => c.trim().toLowerCase());
  if (cols[0] !== 'timestamp' || cols[1] !== 'value') {
    throw new DetectInputError(`expected header "timestamp,value", found "${header.slice(0, 80)}"`, 1);
  }
  const tsText: string[] = [];
  const valueText: string[] = [];
  const tsMs: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(',');
    const t = fields[0] ?? '';
    const v = fields[1] ?? '';
    const ms = parseTimestamp(t);
    if (Number.isNaN(ms)) throw new DetectInputError(`unparseable timestamp "${t.slice(0, 40)}"`, i + 1);
    const x = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(x)) throw new DetectInputError(`value "${v.slice(0, 40)}" is not a number`, i + 1);
    tsText.push(t);
    valueText.push(v);
    tsMs.push(ms);
    values.push(x);
  }
  return { tsText, valueText, tsMs: Float64Array.from(tsMs), values: Float64Array.from(values) };
}

/** Reads `input`, scores it with `detector`, writes `output`. Returns the row count. */
export function runDetect(input: string, output: string, detector: DetectorName = 'combined'): number {
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DetectInputError(code === 'ENOENT' ? 'no such file' : `cannot read (${String(code)})`);
  }
  const s = parseSeriesCsv(text);
  const { score, alarm } = detectSeries(s.tsMs, s.values, detector);
  const out: string[] = ['timestamp,value,anomaly_score,alarm'];
  for (let i = 0; i < s.tsText.length; i++) {
    out.push(`${s.tsText[i]},${s.valueText[i]},${score[i]!.toFixed(6)},${alarm[i]}`);
  }
  writeFileSync(output, out.join('\n') + '\n');
  return s.tsText.length;
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('Score a timestamp,value CSV with the anomaly detector (NAB format)')
    .requiredOption('--input <file>', 'CSV with header timestamp,value')
    .requiredOption('--output <file>', 'where to write timestamp,value,anomaly_score,alarm')
    .option('--detector <name>', `one of: ${Object.keys(DETECTORS).join(', ')}`, 'combined')
    .action((opts: { input: string; output: string; detector: string }) => {
      if (!isDetectorName(opts.detector)) {
        console.error(
          `error: unknown detector "${opts.detector}" (one of: ${Object.keys(DETECTORS).join(', ')})`,
        );
        process.exitCode = 2;
        return;
      }
      try {
        runDetect(opts.input, opts.output, opts.detector);
      } catch (e) {
        if (!(e instanceof DetectInputError)) throw e;
        console.error(`error: ${opts.input}: ${e.message}`);
        process.exitCode = 2;
      }
    });
}
