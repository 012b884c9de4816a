// Builds server_metrics rows from sources that report one value at a time (line protocol,
// node_exporter, collectd): values for the same host and timestamp merge into one row, and
// counters become interval deltas (network bytes) or a busy percentage (cpu) using the state of
// previous observations. The row of a (host, timestamp) persists in the CounterState across
// requests, so a row whose values arrive in several requests is emitted, each time, with
// everything known so far. Counter observations are applied in timestamp order, so a body whose
// points are not sorted still rates correctly.
import type { MetricColumn } from '../core/types.ts';
import type { CounterState, Slot } from './counters.ts';
import type { HostRef, IngestLimits, MetricRow, ParseResult } from './types.ts';
import { checkMetric } from './validate.ts';

type CounterColumn = 'network_in_bytes' | 'network_out_bytes';

interface Touched {
  host: HostRef;
  tsUs: number;
  index: number;
  slot: Slot;
}

interface CounterObs {
  t: Touched;
  key: string;
  value: number;
  column: CounterColumn | 'cpu_idle' | 'cpu_busy';
}

export class RowAssembler {
  private readonly touched = new Map<string, Touched>();
  private readonly counters: CounterObs[] = [];

  constructor(private readonly state: CounterState) {}

  private touch(host: HostRef, tsUs: number, index: number): Touched {
    const key = `${host.hostname}\u0000${tsUs}`;
    let t = this.touched.get(key);
    if (!t) {
      t = { host, tsUs, index, slot: this.state.slot(key) };
      this.touched.set(key, t);
    }
    return t;
  }

  /** A value that goes into a column as it is (a gauge). */
  gauge(host: HostRef, tsUs: number, column: MetricColumn, value: number, index: number): void {
    this.touch(host, tsUs, index).slot.values[column] = value;
  }

  /** A cumulative byte counter whose increase, summed over keys, is the column's value. */
  counter(
    host: HostRef,
    tsUs: number,
    column: CounterColumn,
    key: string,
    value: number,
    index: number,
  ): void {
    this.counters.push({
      t: this.touch(host, tsUs, index),
      key: `${host.hostname}\u0000${key}`,
      value,
      column,
    });
  }

  /** Cumulative cpu time of one cpu/mode; cpu_usage is busy time over all time in the interval. */
  cpuTime(host: HostRef, tsUs: number, key: string, value: number, idle: boolean, index: number): void {
    const column = idle ? 'cpu_idle' : 'cpu_busy';
    this.counters.push({
      t: this.touch(host, tsUs, index),
      key: `${host.hostname}\u0000${key}`,
      value,
      column,
    });
  }

  /** Validated rows into result.metrics, reasons into result.errors. */
  finish(limits: IngestLimits, result: ParseResult): void {
    this.counters.sort((a, b) => a.t.tsUs - b.t.tsUs);
    for (const c of this.counters) {
      const inc = this.state.increase(c.key, c.t.tsUs, c.value);
      if (!inc) continue;
      const { slot } = c.t;
      if (c.column === 'cpu_idle' || c.column === 'cpu_busy') {
        slot.cpuTotal += inc.increase;
        if (c.column === 'cpu_busy') slot.cpuBusy += inc.increase;
      } else {
        slot.values[c.column] = (slot.values[c.column] ?? 0) + Math.round(inc.increase);
      }
    }
    for (const t of this.touched.values()) {
      const { slot } = t;
      if (slot.cpuTotal > 0)
        slot.values.cpu_usage = Math.min(100, Math.max(0, (100 * slot.cpuBusy) / slot.cpuTotal));
      // Only first counter observations so far: nothing to store yet, and not an error.
      if (!Object.values(slot.values).some((v) => v !== null)) continue;
      const row: MetricRow = { host: t.host, tsUs: t.tsUs, ...slot.values };
      const bad = checkMetric(row, limits, t.index);
      if (bad) result.errors.push(bad);
      else result.metrics.push(row);
    }
  }
}
