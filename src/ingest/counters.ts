// Previous observations of cumulative counters (cpu seconds, network bytes) per host and series,
// so sources that send counters (node_exporter, Telegraf, collectd) can be turned into the rates
// and interval deltas server_metrics stores. Bounded: the least recently seen entries go first.
//
// It also keeps the partial server_metrics row of each recent (host, timestamp): Prometheus
// shards one scrape over several remote_write requests and collectd flushes a 4 KiB buffer at a
// time, so the values of one row arrive in pieces. Each request writes the row as known so far
// and the writer merges it into what is stored (see batch-writer.ts).
import { type MetricValues, emptyValues } from './types.ts';

export interface Slot {
  values: MetricValues;
  cpuBusy: number;
  cpuTotal: number;
}

interface Observation {
  tsUs: number;
  value: number;
}

export class CounterState {
  private readonly prev = new Map<string, Observation>();

  private readonly slots = new Map<string, Slot>();

  constructor(private readonly maxEntries = 200_000) {}

  /** The partial row of a host at a timestamp, made empty on first use. */
  slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) {
      s = { values: emptyValues(), cpuBusy: 0, cpuTotal: 0 };
      this.slots.set(key, s);
      if (this.slots.size > this.maxEntries / 4) {
        const oldest = this.slots.keys().next().value;
        if (oldest !== undefined) this.slots.delete(oldest);
      }
    }
    return s;
  }

  get size(): number {
    return this.prev.size;
  }

  /**
   * The increase of a counter since its previous observation, with Prometheus' reset rule (a
   * smaller value means the counter restarted from zero). Null for the first observation, and
   * for one that is not newer than the last (a retried or out-of-order sample cannot be rated).
   */
  increase(key: string, tsUs: number, value: number): { increase: number; seconds: number } | null {
    if (!Number.isFinite(value) || value < 0) return null;
    const last = this.prev.get(key);
    if (last && tsUs <= last.tsUs) return null;
    // Re-inserting moves the key to the end of the Map's order, which is what eviction reads.
    this.prev.delete(key);
    this.prev.set(key, { tsUs, value });
    if (this.prev.size > this.maxEntries) {
      const oldest = this.prev.keys().next().value;
      if (oldest !== undefined) this.prev.delete(oldest);
    }
    if (!last) return null;
    const increase = value >= last.value ? value - last.value : value;
    return { increase, seconds: (tsUs - last.tsUs) / 1e6 };
  }

  /** The last value seen for a key (gauges such as MemTotal that arrive in another batch). */
  last(key: string): number | undefined {
    return this.prev.get(key)?.value;
  }

  remember(key: string, tsUs: number, value: number): void {
    this.prev.delete(key);
    this.prev.set(key, { tsUs, value });
    if (this.prev.size > this.maxEntries) {
      const oldest = this.prev.keys().next().value;
      if (oldest !== undefined) this.prev.delete(oldest);
    }
  }
}
