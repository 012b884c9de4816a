// Where the JSON fast path (json-fast.ts) puts what it accepts: rows as growable typed-array
// columns, and the request's hosts interned by the bytes of their names.
import { VALUE_COLUMNS } from '../metric-block.ts';
import type { HostRef, MetricColumns } from '../types.ts';
import { checkHost } from '../validate.ts';

/**
 * Hostnames checkHost accepted as a bare `{ hostname }` (its verdict depends on nothing else), so
 * an agent's next request skips the regex. Bounded: cleared when full, which costs only a recheck.
 */
const goodHostnames = new Set<string>();
const MAX_GOOD_HOSTNAMES = 100_000;
function remember(hostname: string): void {
  if (goodHostnames.size >= MAX_GOOD_HOSTNAMES) goodHostnames.clear();
  goodHostnames.add(hostname);
}

/** Accepted rows as growable columns: no object per row (see MetricColumns). */
export class Columns {
  length = 0;
  host: Uint32Array;
  tsUs: Float64Array;
  values: Float64Array;
  constructor(capacity: number) {
    this.host = new Uint32Array(capacity);
    this.tsUs = new Float64Array(capacity);
    this.values = new Float64Array(capacity * VALUE_COLUMNS);
  }
  /** A row of host `host` at time ts[0] (µs) with values v (an array, so no double is boxed). */
  push(host: number, ts: Float64Array, v: Float64Array): void {
    if (this.length === this.host.length) this.grow();
    const i = this.length++;
    this.host[i] = host;
    this.tsUs[i] = ts[0] as number;
    this.values.set(v, i * VALUE_COLUMNS);
  }
  private grow(): void {
    const n = this.host.length * 2;
    const host = new Uint32Array(n);
    const tsUs = new Float64Array(n);
    const values = new Float64Array(n * VALUE_COLUMNS);
    host.set(this.host);
    tsUs.set(this.tsUs);
    values.set(this.values);
    this.host = host;
    this.tsUs = tsUs;
    this.values = values;
  }
  done(hosts: HostRef[]): MetricColumns {
    const n = this.length;
    return {
      length: n,
      hosts,
      host: this.host.subarray(0, n),
      tsUs: this.tsUs.subarray(0, n),
      values: this.values.subarray(0, n * VALUE_COLUMNS),
    };
  }
}

/**
 * The hosts of one request by the bytes of their name, so a row costs a hash of its hostname's
 * bytes instead of a new string and a Map lookup by string. `ok` is checkHost's verdict.
 */
export class Hosts {
  readonly list: HostRef[] = [];
  readonly ok: boolean[] = [];
  private readonly byHash = new Map<number, number>();
  private readonly byName = new Map<string, number>(); // hash collisions only

  constructor(private readonly b: Buffer) {}

  /** Index of the host named by the bytes [start, end) of the body, added on first sight. */
  at(start: number, end: number, index: number): number {
    const b = this.b;
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ (b[p] as number), 0x01000193);
    const seen = this.byHash.get(h);
    if (seen !== undefined && this.named(seen, start, end)) return seen;
    const hostname = b.toString('latin1', start, end);
    if (seen !== undefined) {
      const other = this.byName.get(hostname);
      if (other !== undefined) return other;
    }
    const host: HostRef = { hostname };
    const ok = goodHostnames.has(hostname) || checkHost(host, index) === null;
    if (ok) remember(hostname);
    const i = this.list.push(host) - 1;
    this.ok.push(ok);
    if (seen === undefined) this.byHash.set(h, i);
    else this.byName.set(hostname, i);
    return i;
  }

  private named(i: number, start: number, end: number): boolean {
    const name = (this.list[i] as HostRef).hostname;
    if (name.length !== end - start) return false;
    const b = this.b;
    for (let k = 0; k < name.length; k++) if (name.charCodeAt(k) !== b[start + k]) return false;
    return true;
  }
}
