// collectd's write_http plugin with `Format "JSON"`: an array of value lists
//   {"values":[…],"dstypes":["derive"],"dsnames":["value"],"time":1700000000.123,"interval":10,
//    "host":"web-1","plugin":"cpu","plugin_instance":"","type":"percent","type_instance":"idle"}
// Every value is kept as the series collectd_<plugin>_<type>[_<dsname>]; these also fill
// server_metrics (with collectd's ValuesPercentage settings or from raw values):
//   cpu percent idle → 100 - idle, cpu percent active → as is, or jiffies (type cpu) rated
//   memory percent used, or used / (used + free + buffered + cached + slab_*) from bytes
//   df (plugin_instance root) percent_bytes used, or used / (used + free) from df_complex
//   interface if_octets rx / tx (every interface but lo) as deltas;  load shortterm/midterm/longterm
// A value list's time is seconds (fractional with collectd's high-resolution time). Each plugin
// reads at its own instant, so times are aligned down to the value list's interval: the cpu,
// memory and load values of one collectd cycle then make one server_metrics row.
import { RowAssembler } from '../assemble.ts';
import type { CounterState } from '../counters.ts';
import { type HostRef, type IngestLimits, type ParseResult, emptyResult } from '../types.ts';
import { checkHost, checkSeries, checkTimestamp } from '../validate.ts';
import { decodeJson } from './json.ts';
import { seriesName } from './line-protocol.ts';

interface ValueList {
  values: (number | null)[];
  dsnames: string[];
  time: number;
  interval: number;
  host: string;
  plugin: string;
  plugin_instance: string;
  type: string;
  type_instance: string;
}

const isStr = (v: unknown): v is string => typeof v === 'string';

/** The value list in `raw`, or the field that is wrong. */
function readValueList(raw: unknown): ValueList | { field: string; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { field: 'row', reason: 'must be an object' };
  const o = raw as Record<string, unknown>;
  for (const k of ['host', 'plugin', 'type'] as const)
    if (!isStr(o[k])) return { field: k, reason: 'must be a string' };
  for (const k of ['plugin_instance', 'type_instance'] as const) {
    if (o[k] !== undefined && !isStr(o[k])) return { field: k, reason: 'must be a string' };
  }
  if (typeof o.time !== 'number' || !Number.isFinite(o.time))
    return { field: 'time', reason: 'must be epoch seconds' };
  const { values, dsnames } = o;
  if (!Array.isArray(values) || values.length === 0 || values.length > 64)
    return { field: 'values', reason: 'must be a non-empty array' };
  if (!values.every((v) => v === null || typeof v === 'number'))
    return { field: 'values', reason: 'must hold numbers (or null)' };
  const names =
    Array.isArray(dsnames) && dsnames.length === values.length && dsnames.every(isStr) ? dsnames : null;
  if (!names) return { field: 'dsnames', reason: 'must name each value' };
  return {
    values: values as (number | null)[],
    dsnames: names,
    time: o.time,
    interval: typeof o.interval === 'number' && o.interval > 0 && o.interval <= 86_400 ? o.interval : 0,
    host: o.host as string,
    plugin: o.plugin as string,
    plugin_instance: (o.plugin_instance as string | undefined) ?? '',
    type: o.type as string,
    type_instance: (o.type_instance as string | undefined) ?? '',
  };
}

// "host\0ts\0group" → the first value list's index and type_instance → value
type Parts = Map<string, { index: number; values: Map<string, number> }>;

function mapValue(
  a: RowAssembler,
  parts: Parts,
  vl: ValueList,
  host: HostRef,
  tsUs: number,
  ds: string,
  v: number,
  i: number,
) {
  const { plugin, type, type_instance: ti, plugin_instance: pi } = vl;
  const part = (group: string) => {
    const key = `${host.hostname}\u0000${tsUs}\u0000${group}`;
    let p = parts.get(key);
    if (!p) parts.set(key, (p = { index: i, values: new Map() }));
    p.values.set(ti, v);
  };
  if (plugin === 'cpu' && type === 'percent' && pi === '') {
    if (ti === 'idle') a.gauge(host, tsUs, 'cpu_usage', Math.min(100, Math.max(0, 100 - v)), i);
    else if (ti === 'active') a.gauge(host, tsUs, 'cpu_usage', v, i);
  } else if (plugin === 'cpu' && type === 'cpu') {
    a.cpuTime(host, tsUs, `collectd:cpu:${pi}:${ti}`, v, ti === 'idle' || ti === 'wait', i);
  } else if (plugin === 'memory' && type === 'percent' && ti === 'used') {
    a.gauge(host, tsUs, 'memory_usage', v, i);
  } else if (plugin === 'memory' && type === 'memory') {
    part('memory');
  } else if (plugin === 'df' && pi === 'root' && type === 'percent_bytes' && ti === 'used') {
    a.gauge(host, tsUs, 'disk_usage', v, i);
  } else if (plugin === 'df' && pi === 'root' && type === 'df_complex') {
    part('df');
  } else if (plugin === 'interface' && type === 'if_octets' && pi !== 'lo' && (ds === 'rx' || ds === 'tx')) {
    a.counter(
      host,
      tsUs,
      ds === 'rx' ? 'network_in_bytes' : 'network_out_bytes',
      `collectd:if:${pi}:${ds}`,
      v,
      i,
    );
  } else if (plugin === 'load' && type === 'load') {
    const col =
      ds === 'shortterm' ? 'load_1' : ds === 'midterm' ? 'load_5' : ds === 'longterm' ? 'load_15' : null;
    if (col) a.gauge(host, tsUs, col, v, i);
  }
}

function finishParts(a: RowAssembler, parts: Parts, hosts: Map<string, HostRef>) {
  for (const [key, { index, values: m }] of parts) {
    const [hostname, ts, group] = key.split('\u0000') as [string, string, string];
    const host = hosts.get(hostname) as HostRef;
    const used = m.get('used');
    if (used === undefined || !m.has('free')) continue;
    const names =
      group === 'memory'
        ? ['used', 'free', 'buffered', 'cached', 'slab_recl', 'slab_unrecl']
        : ['used', 'free'];
    const total = names.reduce((s, n) => s + (m.get(n) ?? 0), 0);
    if (total <= 0) continue;
    a.gauge(
      host,
      Number(ts),
      group === 'memory' ? 'memory_usage' : 'disk_usage',
      (100 * used) / total,
      index,
    );
  }
}

export function parseCollectd(body: unknown, limits: IngestLimits, state: CounterState): ParseResult {
  const result = emptyResult();
  const decoded = decodeJson(body);
  if ('reason' in decoded) {
    result.errors.push({ index: -1, field: 'body', reason: decoded.reason });
    return result;
  }
  if (!Array.isArray(decoded.value)) {
    result.errors.push({ index: -1, field: 'body', reason: 'expected a JSON array of value lists' });
    return result;
  }
  const lists = decoded.value as unknown[];
  result.total = lists.length;
  if (lists.length > limits.maxRows) {
    result.errors.push({
      index: -1,
      field: 'body',
      reason: `more than ${limits.maxRows} value lists in one request`,
    });
    return result;
  }
  const assembler = new RowAssembler(state);
  const parts: Parts = new Map();
  const hosts = new Map<string, HostRef>();
  lists.forEach((raw, i) => {
    const vl = readValueList(raw);
    if ('reason' in vl) return void result.errors.push({ index: i, ...vl });
    const host: HostRef = hosts.get(vl.host) ?? { hostname: vl.host };
    const aligned = vl.interval > 0 ? Math.floor(vl.time / vl.interval) * vl.interval : vl.time;
    const tsUs = Math.round(aligned * 1e6);
    const bad = checkHost(host, i) ?? checkTimestamp(tsUs, limits, i, 'time');
    if (bad) return void result.errors.push(bad);
    hosts.set(vl.host, host);
    const labels: Record<string, string> = {};
    if (vl.plugin_instance !== '') labels.plugin_instance = vl.plugin_instance;
    if (vl.type_instance !== '') labels.type_instance = vl.type_instance;
    vl.values.forEach((v, d) => {
      const ds = vl.dsnames[d] as string;
      if (v === null) return; // collectd writes an unknown gauge (NaN) as null
      const suffix = vl.values.length > 1 || ds !== 'value' ? `_${ds}` : '';
      const row = {
        host,
        name: seriesName(`collectd_${vl.plugin}`, `${vl.type}${suffix}`),
        labels,
        tsUs,
        value: v,
      };
      const rowBad = checkSeries(row, limits, i);
      if (rowBad) return void result.errors.push(rowBad);
      result.series.push(row);
      mapValue(assembler, parts, vl, host, tsUs, ds, v, i);
    });
  });
  finishParts(assembler, parts, hosts);
  assembler.finish(limits, result);
  return result;
}
