// Previous observations of cumulative counters (cpu seconds, network bytes) per host and series,
// so sources that send counters (node_exporter, Telegraf, collectd) can be turned into the rates
// and interval deltas server_metrics stores. Bounded: the least recently seen entries go first.

interface Observation {
  tsUs: number;
  value: number;
}

export class CounterState {
  private readonly prev = new Map<string, Observation>();

  constructor(private readonly maxEntries = 200_000) {}

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
