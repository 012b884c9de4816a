// A single-pass scanner for the common shape of POST /api/v1/metrics bodies: a top-level array
// of flat row objects holding only `hostname`, `ts` and the metric columns, in plain ASCII.
//
// Why: JSON.parse builds one object (and a string per key) for every row only for
// parseJsonMetrics to read eight numbers out of it and throw it away; with the row checks that
// was ~1.6 µs of the ~5 µs of Node CPU a row costs. This reads the bytes once instead.
//
// It is an optimisation, never a second parser: on anything it does not fully understand
// (the batch object form, labels/metadata/series, escapes or any non-ASCII byte, a duplicate key,
// a value of the wrong type, an empty array, too many rows, bad JSON anywhere) it returns null
// and the body goes through JSON.parse unchanged. What it does accept it judges with the same
// functions as the slow path (parseIsoUs, msToUsAt which msToUs wraps, checkMetric), so accepted
// rows and per-row errors are identical; test/ingest/json-fast.test.ts checks this against the
// slow path.
import { METRIC_COLUMNS } from '../../core/types.ts';
import { msToUsAt, parseIsoUs } from '../time.ts';
import {
  type HostRef,
  type IngestLimits,
  type MetricRow,
  type ParseResult,
  emptyResult,
  valuesAt,
} from '../types.ts';
import { checkMetric } from '../validate.ts';
import { VALUE_COLUMNS } from '../metric-block.ts';
import { Columns, Hosts } from './json-fast-rows.ts';

const HOSTNAME = 8; // key slots after the metric columns (0..7)
const TS = 9;
const KEYS: readonly string[] = [...METRIC_COLUMNS, 'hostname', 'ts'];
const KEY_BYTES = KEYS.map((k) => Buffer.from(k, 'latin1'));
/** Candidate key slots by key length: the byte compare then runs against one or two names. */
const BY_LENGTH: number[][] = [];
KEY_BYTES.forEach((k, slot) => (BY_LENGTH[k.length] ??= []).push(slot));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Thrown to abandon the scan; caught once per body, so its cost does not matter. */
const BAIL = new Error('json-fast: not the canonical shape');

class Scanner {
  pos = 0;
  constructor(readonly b: Buffer) {}

  ws(): number {
    const b = this.b;
    let p = this.pos;
    let c = b[p];
    // JSON whitespace is exactly these four bytes.
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    this.pos = p;
    if (c === undefined) throw BAIL;
    return c;
  }

  expect(c: number): void {
    if (this.ws() !== c) throw BAIL;
    this.pos++;
  }

  /** End of a plain string starting at pos (after the quote): printable ASCII, no escapes. */
  stringEnd(): number {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c === undefined || c === BACKSLASH || c < 0x20 || c > 0x7e) throw BAIL;
      if (c === QUOTE) return p;
      p++;
    }
  }

  /**
   * The key at pos when it is exactly the key of `slot` (the one the previous row had here: rows
   * of one body list their keys in the same order), else -1. Cheaper than key(): one compare.
   */
  keyIf(slot: number): number {
    const b = this.b;
    const k = KEY_BYTES[slot] as Buffer;
    let p = this.pos;
    if (b[p] !== QUOTE) return -1;
    p++;
    for (let i = 0; i < k.length; i++, p++) if (b[p] !== k[i]) return -1;
    if (b[p] !== QUOTE) return -1;
    this.pos = p + 1;
    return slot;
  }

  key(): number {
    this.expect(QUOTE);
    const start = this.pos;
    const end = this.stringEnd();
    const slots = BY_LENGTH[end - start];
    if (slots === undefined) throw BAIL;
    for (const slot of slots) {
      const k = KEY_BYTES[slot] as Buffer;
      let i = 0;
      while (i < k.length && this.b[start + i] === k[i]) i++;
      if (i === k.length) {
        this.pos = end + 1;
        return slot;
      }
    }
    throw BAIL;
  }

  /**
   * A JSON number token (strict grammar: no leading zeros, no "+", digits on both sides of the
   * point), stored at out[k]. Up to 15 significant digits without exponent, m / 10^k is exact and
   * correctly rounded (both operands are exact doubles), hence equal to what JSON.parse gives;
   * anything longer goes through Number() on the token, which parses like JSON.parse. It stores
   * rather than returns: a double returned from a call V8 does not inline is boxed on the heap,
   * which was the largest allocation of the whole ingest path (~80 bytes a row).
   */
  numberInto(out: Float64Array, k: number): void {
    const b = this.b;
    const start = this.pos;
    let p = start;
    const neg = b[p] === MINUS;
    if (neg) p++;
    let m = 0;
    let digits = 0;
    let c = b[p];
    if (c === 0x30) {
      c = b[++p];
      if (c !== undefined && c >= 0x30 && c <= 0x39) throw BAIL;
    } else if (c !== undefined && c >= 0x31 && c <= 0x39) {
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        c = b[++p];
      }
    } else throw BAIL;
    let frac = 0;
    if (c === 0x2e) {
      c = b[++p];
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        frac++;
        c = b[++p];
      }
      if (frac === 0) throw BAIL;
    }
    let exact = digits + frac <= 15;
    if (c === 0x65 || c === 0x45) {
      exact = false;
      c = b[++p];
      if (c === 0x2b || c === MINUS) c = b[++p];
      let e = 0;
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        e++;
        c = b[++p];
      }
      if (e === 0) throw BAIL;
    }
    this.pos = p;
    if (exact) {
      const v = m / (POW10[frac] as number);
      out[k] = neg ? -v : v;
    } else out[k] = Number(b.toString('latin1', start, p));
  }

  isNull(): boolean {
    const b = this.b;
    const p = this.pos;
    if (b[p] !== 0x6e || b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) return false;
    this.pos = p + 4;
    return true;
  }

  text(start: number, end: number): string {
    return this.b.toString('latin1', start, end);
  }
}

/** Rows of the canonical shape with their per-row errors, or null to use the JSON.parse path. */
export function scanJsonMetrics(body: unknown, limits: IngestLimits): ParseResult | null {
  if (!(body instanceof Uint8Array)) return null;
  try {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return scan(new Scanner(bytes), limits);
  } catch (e) {
    if (e === BAIL) return null;
    throw e;
  }
}

function scan(s: Scanner, limits: IngestLimits): ParseResult | null {
  const result = emptyResult();
  // Hosts named only by hostname share one HostRef per request, as in json.ts (hostOf).
  const hosts = new Hosts(s.b);
  const rows = new Columns(Math.min(limits.maxRows, (s.b.length >> 7) + 16));
  // Doubles of the row loop live in typed arrays, not locals passed to calls: V8 boxes a double
  // on the heap for each call it did not inline, ~50 bytes of garbage a row here.
  const tsWindow = new Float64Array([limits.nowMs - limits.maxPastMs, limits.nowMs + limits.maxFutureMs]);
  const ts = new Float64Array(1); // the row's ts in µs; NaN: missing or not a timestamp
  const ms = new Float64Array(1); // a ts given as epoch milliseconds
  const v = new Float64Array(VALUE_COLUMNS);
  const order: number[] = []; // the key slots of the rows so far, by position
  s.expect(0x5b);
  if (s.ws() === 0x5d) return null; // an empty batch: rare, let the slow path answer it
  let index = 0;
  for (; ; index++) {
    if (index >= limits.maxRows) return null;
    s.expect(0x7b);
    let seen = 0;
    let host = -1;
    ts[0] = NaN;
    v.fill(NaN);
    for (let k = 0; ; k++) {
      const guess = k < order.length ? (order[k] as number) : -1;
      let slot = guess >= 0 && s.ws() === QUOTE ? s.keyIf(guess) : -1;
      if (slot < 0) slot = order[k] = s.key();
      if (seen & (1 << slot)) return null; // JSON.parse keeps the last duplicate; not worth copying
      seen |= 1 << slot;
      s.expect(0x3a);
      const c = s.ws();
      if (slot === HOSTNAME) {
        if (c !== QUOTE) return null;
        s.pos++;
        const end = s.stringEnd();
        host = hosts.at(s.pos, end, index);
        s.pos = end + 1;
      } else if (slot === TS) {
        if (c === QUOTE) {
          s.pos++;
          const end = s.stringEnd();
          ts[0] = parseIsoUs(s.text(s.pos, end)) ?? NaN;
          s.pos = end + 1;
        } else {
          s.numberInto(ms, 0);
          msToUsAt(ms, ts);
        }
      } else if (!s.isNull()) {
        s.numberInto(v, slot);
      }
      const d = s.ws();
      s.pos++;
      if (d === 0x7d) break;
      if (d !== 0x2c) return null;
    }
    // The slow path's answer to a row without hostname depends on the batch form; leave it there.
    if (host < 0) return null;
    if (ts[0] !== ts[0]) {
      result.errors.push({
        index,
        field: 'ts',
        reason: 'must be an RFC 3339 string or epoch milliseconds',
      });
    } else {
      // The inline test only ever says "fine" when checkMetric would; any doubt asks checkMetric,
      // which then names the field and reason exactly as the slow path does.
      const bad =
        hosts.ok[host] && plainValid(v, ts, tsWindow)
          ? null
          : checkMetric(toRow(hosts.list[host] as HostRef, ts[0] as number, v), limits, index);
      if (bad) result.errors.push(bad);
      else rows.push(host, ts, v);
    }
    const d = s.ws();
    s.pos++;
    if (d === 0x5d) break;
    if (d !== 0x2c) return null;
  }
  // Only whitespace may follow the array.
  const b = s.b;
  for (let p = s.pos; p < b.length; p++) {
    const c = b[p];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return null;
  }
  result.total = index + 1;
  result.columns = rows.done(hosts.list);
  return result;
}

function toRow(host: HostRef, tsUs: number, v: Float64Array): MetricRow {
  return { host, tsUs, ...valuesAt(v, 0) };
}

/** A strict subset of checkMetric's acceptance (see validate.ts) for rows of a checked host. */
function plainValid(v: Float64Array, ts: Float64Array, tsWindow: Float64Array): boolean {
  const tsUs = ts[0] as number;
  if (!Number.isSafeInteger(tsUs)) return false;
  const ms = tsUs / 1000;
  if (!(ms >= (tsWindow[0] as number) && ms <= (tsWindow[1] as number))) return false;
  let any = false;
  for (let c = 0; c < 8; c++) {
    const x = v[c] as number;
    if (x !== x) continue; // null
    any = true;
    if (c === 3 || c === 4) {
      if (!(Number.isSafeInteger(x) && x >= 0)) return false;
    } else if (c >= 5) {
      if (!(x >= 0 && x < 1e6)) return false;
    } else if (!(x >= 0 && x <= 100)) return false;
  }
  return any;
}
