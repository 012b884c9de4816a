// Builds server_metrics rows from sources that report one value at a time (line protocol,
// node_exporter, collectd): values for the same host and timestamp merge into one row, and
// counters become interval deltas (network bytes) or a busy percentage (cpu) using the state of
// previous observations. Counter observations are applied in timestamp order, so a body whose
// points are not sorted still rates correctly.
import type { MetricColumn } from '../core/types.ts';
import type { CounterState } from './counters.ts';
import { type HostRef, type IngestLimits, type MetricRow, type ParseResult, emptyValues } from './types.ts';
import { checkMetric } from './validate.ts';

type CounterColumn = 'network_in_bytes' | 'network_out_bytes';

interface Slot {
  row: MetricRow;
  index: number;
  cpuBusy: number;
  cpuTotal: number;
}

interface CounterObs {
  slot: Slot;
  key: string;
  value: number;
  column: CounterColumn | 'cpu_idle' | 'cpu_busy';
}

export class RowAssembler {
  private readonly slots = new Map<string, Slot>();
  private readonly counters: CounterObs[] = [];

  constructor(private readonly state: CounterState) {}

  private slot(host: HostRef, tsUs: number, index: number): Slot {
    const key = `${host.hostname}\u0000${tsUs}`;
    let s = this.slots.get(key);
    if (!s) {
      s = { row: { host, tsUs, ...emptyValues() }, index, cpuBusy: 0, cpuTotal: 0 };
      this.slots.set(key, s);
    }
    return s;
  }

  /** A value that goes into a column as it is (a gauge). */
  gauge(host: HostRef, tsUs: number, column: MetricColumn, value: number, index: number): void {
    this.slot(host, tsUs, index).row[column] = value;
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
      slot: this.slot(host, tsUs, index),
      key: `${host.hostname}\u0000${key}`,
      value,
      column,
    });
  }

  /** Cumulative cpu time of one cpu/mode; cpu_usage is busy time over all time in the interval. */
  cpuTime(host: HostRef, tsUs: number, key: string, value: number, idle: boolean, index: number): void {
    const column = idle ? 'cpu_idle' : 'cpu_busy';
    this.counters.push({
      slot: this.slot(host, tsUs, index),
      key: `${host.hostname}\u0000${key}`,
      value,
      column,
    });
  }

  /** Validated rows into result.metrics, reasons into result.errors. */
  finish(limits: IngestLimits, result: ParseResult): void {
    this.counters.sort((a, b) => a.slot.row.tsUs - b.slot.row.tsUs);
    for (const c of this.counters) {
      const inc = this.state.increase(c.key, c.slot.row.tsUs, c.value);
      if (!inc) continue;
      if (c.column === 'cpu_idle' || c.column === 'cpu_busy') {
        c.slot.cpuTotal += inc.increase;
        if (c.column === 'cpu_busy') c.slot.cpuBusy += inc.increase;
      } else {
        c.slot.row[c.column] = (c.slot.row[c.column] ?? 0) + Math.round(inc.increase);
      }
    }
    for (const s of this.slots.values()) {
      if (s.cpuTotal > 0) s.row.cpu_usage = Math.min(100, Math.max(0, (100 * s.cpuBusy) / s.cpuTotal));
      // A slot made only of first counter observations has nothing to store yet: not an error.
      if (!rowHasValue(s.row)) continue;
      const bad = checkMetric(s.row, limits, s.index);
      if (bad) result.errors.push(bad);
      else result.metrics.push(s.row);
    }
  }
}

function rowHasValue(row: MetricRow): boolean {
  return (
    row.cpu_usage !== null ||
    row.memory_usage !== null ||
    row.disk_usage !== null ||
    row.network_in_bytes !== null ||
    row.network_out_bytes !== null ||
    row.load_1 !== null ||
    row.load_5 !== null ||
    row.load_15 !== null
  );
}
