// server_metrics rows between id resolution and COPY, held column by column in typed arrays
// instead of one object per row.
//
// Why: rows wait in the batch writer's queue until their transaction commits, tens of
// milliseconds at full load. As objects they outlive V8's young generation, get copied by every
// scavenge and promoted to the old generation, and garbage collection became the largest single
// cost of the Node side of ingest (~1 µs per row). A typed array is one small object whatever its
// length; its memory is not scanned or copied by the collector. The block is also what the
// encoder, the key sort and the merge path read, so no row is ever re-materialised on the way.
//
// A null value ("not measured") is stored as NaN: validation refuses NaN and infinities in every
// format before rows get here, so NaN cannot be a real value.
import { METRIC_COLUMNS } from '../core/types.ts';
import { DAY_US, utcDay } from './time.ts';
import { type MetricValues, valuesAt } from './types.ts';

export const VALUE_COLUMNS = METRIC_COLUMNS.length;

/** One server_metrics row as plain values (tests, the demo, the bench baseline). */
export interface WriteMetric extends MetricValues {
  serverId: number;
  tsUs: number;
}

export class MetricBlock {
  readonly serverId: Float64Array;
  readonly tsUs: Float64Array;
  /** Row-major: the value of column c of row i is at i * VALUE_COLUMNS + c; NaN is null. */
  readonly values: Float64Array;

  constructor(
    readonly length: number,
    columns?: { serverId: Float64Array; tsUs: Float64Array; values: Float64Array },
  ) {
    this.serverId = columns?.serverId ?? new Float64Array(length);
    this.tsUs = columns?.tsUs ?? new Float64Array(length);
    this.values = columns?.values ?? new Float64Array(length * VALUE_COLUMNS);
  }

  /** A block over existing columns (not copied): values row-major as in `values`, NaN for null. */
  static of(serverId: Float64Array, tsUs: Float64Array, values: Float64Array): MetricBlock {
    if (tsUs.length !== serverId.length || values.length !== serverId.length * VALUE_COLUMNS)
      throw new RangeError('MetricBlock.of: column lengths differ');
    return new MetricBlock(serverId.length, { serverId, tsUs, values });
  }

  static fromRows(rows: readonly WriteMetric[]): MetricBlock {
    const b = new MetricBlock(rows.length);
    rows.forEach((r, i) => b.set(i, r.serverId, r.tsUs, r));
    return b;
  }

  set(i: number, serverId: number, tsUs: number, v: MetricValues): void {
    this.serverId[i] = serverId;
    this.tsUs[i] = tsUs;
    const o = i * VALUE_COLUMNS;
    const vs = this.values;
    vs[o] = v.cpu_usage ?? NaN;
    vs[o + 1] = v.memory_usage ?? NaN;
    vs[o + 2] = v.disk_usage ?? NaN;
    vs[o + 3] = v.network_in_bytes ?? NaN;
    vs[o + 4] = v.network_out_bytes ?? NaN;
    vs[o + 5] = v.load_1 ?? NaN;
    vs[o + 6] = v.load_5 ?? NaN;
    vs[o + 7] = v.load_15 ?? NaN;
  }

  /** Value of column c (METRIC_COLUMNS order) of row i, null when not measured. */
  value(i: number, c: number): number | null {
    const v = this.values[i * VALUE_COLUMNS + c] as number;
    return v === v ? v : null;
  }

  /** One column of every row, nulls included (for the unnest() merge path). */
  column(c: number): (number | null)[] {
    const out = new Array<number | null>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.value(i, c);
    return out;
  }

  toRows(): WriteMetric[] {
    const rows: WriteMetric[] = [];
    for (let i = 0; i < this.length; i++) {
      const at = i * VALUE_COLUMNS;
      rows.push({
        serverId: this.serverId[i] as number,
        tsUs: this.tsUs[i] as number,
        ...valuesAt(this.values, at),
      });
    }
    return rows;
  }
}

export const emptyBlock = () => new MetricBlock(0);

/**
 * The rows of each UTC day, in row order (ingest writes each day into its own partition). A
 * block within one day, the usual case, is returned as it is.
 */
export function byDay(b: MetricBlock): { dayUs: number; rows: MetricBlock }[] {
  const dayOf = (i: number) => utcDay(b.tsUs[i] as number) * DAY_US;
  if (b.length === 0) return [];
  const first = dayOf(0);
  let oneDay = true;
  for (let i = 1; i < b.length && oneDay; i++) oneDay = dayOf(i) === first;
  if (oneDay) return [{ dayUs: first, rows: b }];
  const counts = new Map<number, number>();
  for (let i = 0; i < b.length; i++) {
    const day = dayOf(i);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const parts = new Map<number, { dayUs: number; rows: MetricBlock; n: number }>();
  for (const [dayUs, n] of [...counts].sort((x, y) => x[0] - y[0]))
    parts.set(dayUs, { dayUs, rows: new MetricBlock(n), n: 0 });
  for (let i = 0; i < b.length; i++) {
    const part = parts.get(dayOf(i)) as { rows: MetricBlock; n: number };
    const o = part.n++;
    part.rows.serverId[o] = b.serverId[i] as number;
    part.rows.tsUs[o] = b.tsUs[i] as number;
    part.rows.values.set(b.values.subarray(i * VALUE_COLUMNS, (i + 1) * VALUE_COLUMNS), o * VALUE_COLUMNS);
  }
  return [...parts.values()].map(({ dayUs, rows }) => ({ dayUs, rows }));
}

/**
 * The rows of several blocks in primary-key order, duplicates folded: in key order the btree is
 * filled leaf by leaf instead of at a thousand places at once, and a duplicate key inside one
 * statement would make ON CONFLICT DO UPDATE fail ("cannot affect row a second time"). Of two
 * rows with one key, a later non-null value wins (later block, or later in its block), as in
 * vigil.merge_server_metrics.
 */
export function sortedBlock(blocks: readonly MetricBlock[]): MetricBlock {
  const { sid, ts, blockOf, startOf } = keys(blocks);
  const n = sid.length;
  const order = keyOrder(sid, ts);
  const sameKey = (j: number) => {
    const p = order[j] as number;
    const q = order[j - 1] as number;
    return j > 0 && sid[p] === sid[q] && ts[p] === ts[q];
  };
  let distinct = 0;
  for (let j = 0; j < n; j++) if (!sameKey(j)) distinct++;
  const out = new MetricBlock(distinct);
  const dst = out.values;
  let o = -1;
  for (let j = 0; j < n; j++) {
    const p = order[j] as number;
    const k = blockOf ? (blockOf[p] as number) : 0;
    const src = (blocks[k] as MetricBlock).values;
    const at = (p - (startOf[k] as number)) * VALUE_COLUMNS;
    if (!sameKey(j)) {
      o++;
      out.serverId[o] = sid[p] as number;
      out.tsUs[o] = ts[p] as number;
      for (let c = 0; c < VALUE_COLUMNS; c++) dst[o * VALUE_COLUMNS + c] = src[at + c] as number;
      continue;
    }
    for (let c = 0; c < VALUE_COLUMNS; c++) {
      const v = src[at + c] as number;
      if (v === v) dst[o * VALUE_COLUMNS + c] = v;
    }
  }
  return out;
}

/**
 * The keys of several blocks one after another, and where each position's values are: block
 * blockOf[p] (always 0 for one block), row p - startOf[block]. Values are not copied.
 */
function keys(blocks: readonly MetricBlock[]) {
  const startOf = new Array<number>(blocks.length);
  let n = 0;
  blocks.forEach((b, k) => {
    startOf[k] = n;
    n += b.length;
  });
  const only = blocks.length === 1 ? (blocks[0] as MetricBlock) : null;
  if (only) return { sid: only.serverId, ts: only.tsUs, blockOf: null, startOf };
  const sid = new Float64Array(n);
  const ts = new Float64Array(n);
  const blockOf = new Uint32Array(n);
  blocks.forEach((b, k) => {
    const at = startOf[k] as number;
    sid.set(b.serverId, at);
    ts.set(b.tsUs, at);
    blockOf.fill(k, at, at + b.length);
  });
  return { sid, ts, blockOf, startOf };
}

/**
 * Positions in (server_id, ts) order, equal keys in arrival order. Bucketed by server first (a
 * counting sort over the distinct servers, a few thousand at most per batch): rows usually arrive
 * in time order, so each server's run is then already sorted and only checked. A comparison
 * sort of every position was the largest cost of the writer in Node. Server ids are dense (an
 * identity column), so the buckets are an array indexed by id - min unless the ids of a batch
 * are spread too thinly for that.
 */
function keyOrder(sid: Float64Array, ts: Float64Array): Uint32Array {
  const n = sid.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const id = sid[i] as number;
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  const span = hi - lo + 1;
  // bucket[i]: the bucket of row i; buckets are numbered in server-id order.
  const bucket = new Uint32Array(n);
  let buckets = span;
  if (n > 0 && span <= Math.max(4 * n, 65_536)) {
    for (let i = 0; i < n; i++) bucket[i] = (sid[i] as number) - lo;
  } else {
    const ids = [...new Set(sid)].sort((a, b) => a - b);
    const index = new Map(ids.map((id, k) => [id, k]));
    for (let i = 0; i < n; i++) bucket[i] = index.get(sid[i] as number) as number;
    buckets = ids.length;
  }
  const next = new Uint32Array(buckets + 1); // counts, then each bucket's next free position
  for (let i = 0; i < n; i++) {
    const k = (bucket[i] as number) + 1;
    next[k] = (next[k] as number) + 1;
  }
  for (let k = 1; k <= buckets; k++) next[k] = (next[k] as number) + (next[k - 1] as number);
  const begin = next.slice(0, buckets);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = bucket[i] as number;
    const at = next[k] as number;
    order[at] = i;
    next[k] = at + 1;
  }
  // next[k] is now bucket k's end; a bucket whose times go backwards is sorted (ties by arrival).
  for (let k = 0; k < buckets; k++) {
    const from = begin[k] as number;
    const to = next[k] as number;
    for (let j = from + 1; j < to; j++) {
      if ((ts[order[j] as number] as number) < (ts[order[j - 1] as number] as number)) {
        sortRun(order, ts, from, to);
        break;
      }
    }
  }
  return order;
}

/**
 * order[from, to) by ts, ties in arrival (position) order. A run is one server's rows of one
 * batch, a handful when requests overlap in time: insertion sort, no comparator closure.
 */
function sortRun(order: Uint32Array, ts: Float64Array, from: number, to: number): void {
  if (to - from > 64) {
    order.subarray(from, to).sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b);
    return;
  }
  for (let j = from + 1; j < to; j++) {
    const p = order[j] as number;
    const t = ts[p] as number;
    let k = j - 1;
    // Positions in a run ascend, so a strict > keeps equal times in arrival order.
    while (k >= from && (ts[order[k] as number] as number) > t) {
      order[k + 1] = order[k] as number;
      k--;
    }
    order[k + 1] = p;
  }
}
