// PostgreSQL's binary COPY format for the three time-series tables. Binary rather than text
// because at ingest rates the server's CPU is the limit, and binary spares it parsing every
// number and timestamp (timestamptz is int64 microseconds since 2000-01-01, the same integer
// microseconds Vigil carries, so timestamps stay exact).
import { type MetricBlock, VALUE_COLUMNS } from './metric-block.ts';

export interface WriteSample {
  seriesId: number;
  tsUs: number;
  value: number;
}
export interface WriteLog {
  serverId: number;
  tsUs: number;
  severity: number;
  source: string;
  message: string;
  context: Record<string, unknown>;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const PG_EPOCH_US = 946_684_800_000_000; // 2000-01-01T00:00:00Z in Unix microseconds
const TWO_32 = 4_294_967_296;

/** Header (signature, flags, extension length) and trailer of a binary COPY stream. */
export const COPY_HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

class Writer {
  buf: Buffer;
  o = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.o + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.o + n));
    this.buf.copy(next, 0, 0, this.o);
    this.buf = next;
  }
  fields(n: number): void {
    this.buf.writeInt16BE(n, this.o);
    this.o += 2;
  }
  /** int8 without BigInt: safe integers split into two 32-bit halves (two's complement). */
  int8(v: number): void {
    this.buf.writeInt32BE(8, this.o);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.o + 4);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.o + 8);
    this.o += 12;
  }
  int2(v: number): void {
    this.buf.writeInt32BE(2, this.o);
    this.buf.writeInt16BE(v, this.o + 4);
    this.o += 6;
  }
  float8(v: number): void {
    this.buf.writeInt32BE(8, this.o);
    this.buf.writeDoubleBE(v, this.o + 4);
    this.o += 12;
  }
  text(s: string, prefix?: number): void {
    const len = Buffer.byteLength(s) + (prefix === undefined ? 0 : 1);
    this.ensure(4 + len);
    this.buf.writeInt32BE(len, this.o);
    this.o += 4;
    if (prefix !== undefined) this.buf[this.o++] = prefix;
    this.o += this.buf.write(s, this.o);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.o);
  }
}

/** Per field of a server_metrics row (server_id, ts, then METRIC_COLUMNS): int8 (8) or float4 (4). */
const METRIC_FIELDS = Uint8Array.of(8, 8, 4, 4, 4, 8, 8, 4, 4, 4);

/** Bytes of a server_metrics row at most: the field count, then each field's length and value. */
export const METRIC_ROW_MAX = METRIC_FIELDS.reduce((n, size) => n + 4 + size, 2);

/**
 * Encode buffers to reuse: a COPY's buffer is free again once the COPY has returned. At ingest
 * rates a fresh buffer per transaction was ~100 bytes of external memory per row, and external
 * memory is what made V8 run a full collection every ~150 ms.
 */
export class ScratchBuffers {
  private readonly free: Buffer[] = [];
  take(bytes: number): Buffer {
    const b = this.free.pop();
    return b && b.length >= bytes ? b : Buffer.allocUnsafe(Math.max(bytes, 1 << 20));
  }
  /** Kept for reuse: at most four, none over 64 MiB (a bench's one-off giant COPY is let go). */
  give(b: Buffer): void {
    if (this.free.length < 4 && b.length <= 64 << 20) this.free.push(b);
  }
}

/**
 * Rows of vigil.server_metrics: server_id, ts, then METRIC_COLUMNS (NaN in the block is NULL).
 * Written into `into` when it is large enough (the result is a view of it), else a new buffer.
 * The hottest encoder, so it writes through a DataView (inlined by V8, no per-call range checks
 * as Buffer's writeInt32BE has) into a buffer sized for the worst case, in one loop without
 * helper calls: a double passed to a call V8 does not inline is boxed on the heap, and this
 * loop runs for every row.
 */
export function encodeMetrics(b: MetricBlock, into?: Buffer): Buffer {
  const buf =
    into && into.length >= b.length * METRIC_ROW_MAX ? into : Buffer.allocUnsafe(b.length * METRIC_ROW_MAX);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { serverId, tsUs, values } = b;
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    dv.setInt16(o, METRIC_FIELDS.length);
    o += 2;
    const at = i * VALUE_COLUMNS - 2;
    for (let f = 0; f < METRIC_FIELDS.length; f++) {
      const v =
        f === 0
          ? (serverId[i] as number)
          : f === 1
            ? (tsUs[i] as number) - PG_EPOCH_US
            : (values[at + f] as number);
      if (v !== v) {
        dv.setInt32(o, -1); // NULL
        o += 4;
      } else if (METRIC_FIELDS[f] === 8) {
        // int8 without BigInt: a safe integer as two 32-bit halves (two's complement).
        const hi = Math.floor(v / TWO_32);
        dv.setInt32(o, 8);
        dv.setInt32(o + 4, hi);
        dv.setUint32(o + 8, v - hi * TWO_32);
        o += 12;
      } else {
        dv.setInt32(o, 4);
        dv.setFloat32(o + 4, v);
        o += 8;
      }
    }
  }
  return buf.subarray(0, o);
}

export function encodeSamples(rows: readonly WriteSample[]): Buffer {
  const w = new Writer(rows.length * 38);
  for (const r of rows) {
    w.fields(3);
    w.int8(r.seriesId);
    w.int8(r.tsUs - PG_EPOCH_US);
    w.float8(r.value);
  }
  return w.done();
}

export function encodeLogs(rows: readonly WriteLog[]): Buffer {
  const w = new Writer(rows.length * 128 + 64);
  for (const r of rows) {
    w.ensure(2 + 12 + 12 + 6);
    w.fields(6);
    w.int8(r.serverId);
    w.int8(r.tsUs - PG_EPOCH_US);
    w.int2(r.severity);
    w.text(r.source);
    w.text(r.message);
    w.text(JSON.stringify(r.context), 1); // jsonb binary: version byte 1, then the text
  }
  return w.done();
}
