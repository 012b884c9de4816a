// Samples the local host: cpu % and network bytes from the difference between two readings,
// memory % from MemAvailable, disk % per mount (the root mount is the row's value, every mount
// is also a series), load averages, and host metadata. Linux only: reads /proc and statfs.
import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, hostname, platform, release, totalmem, uptime } from 'node:os';
import {
  type CpuTimes,
  counterDelta,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from './proc.ts';
import type { NetCounters } from './counter-state.ts';
import { type MetricValues, emptyValues } from '../ingest/types.ts';

/** One server_metrics row as the agent sends it (the ingest API's JSON row). */
export type AgentSample = { ts: string } & MetricValues;

export interface AgentSeries {
  ts: string;
  name: string;
  labels: Record<string, string>;
  value: number;
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');
const round = (v: number) => Math.round(v * 100) / 100;

export function hostMetadata(agentVersion: string): Record<string, unknown> {
  const c = cpus();
  return {
    os: platform(),
    kernel: release(),
    arch: arch(),
    cpus: c.length,
    cpu_model: c[0]?.model ?? '',
    memory_bytes: totalmem(),
    uptime_s: Math.round(uptime()),
    agent: `vigil-agent/${agentVersion}`,
  };
}

export const localHostname = (): string =>
  hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '') || 'localhost';

export class HostSampler {
  private prevCpu: CpuTimes | null = null;
  private prevNet: NetCounters | null = null;

  constructor(private readonly procRoot = '/proc') {}

  /** The counters the next sample's deltas start from (the last sample's readings). */
  get counters(): { net: NetCounters | null; cpu: CpuTimes | null } {
    return { net: this.prevNet, cpu: this.prevCpu };
  }

  /** Starts from earlier readings (kept across an agent restart) instead of priming anew. */
  restore(counters: { net: NetCounters; cpu: CpuTimes | null }): void {
    this.prevNet = counters.net;
    this.prevCpu = counters.cpu;
  }

  async sample(now: Date): Promise<{ row: AgentSample; series: AgentSeries[] }> {
    const ts = now.toISOString();
    const [stat, meminfo, netdev, loadavg, mounts] = await Promise.all(
      ['stat', 'meminfo', 'net/dev', 'loadavg', 'mounts'].map((f) => read(`${this.procRoot}/${f}`)),
    );
    const row: AgentSample = { ts, ...emptyValues() };
    const cpu = parseProcStat(stat as string);
    if (cpu && this.prevCpu) {
      const total = counterDelta(this.prevCpu.total, cpu.total);
      if (total > 0n)
        row.cpu_usage = round(
          Math.min(100, (100 * Number(counterDelta(this.prevCpu.busy, cpu.busy))) / Number(total)),
        );
    }
    this.prevCpu = cpu;
    const mem = parseMeminfo(meminfo as string);
    if (mem) row.memory_usage = round(Math.min(100, Math.max(0, 100 * (1 - mem.availableKb / mem.totalKb))));
    const net = parseNetDev(netdev as string);
    if (this.prevNet) {
      let rx = 0n;
      let tx = 0n;
      for (const [name, c] of net) {
        const prev = this.prevNet.get(name);
        if (name === 'lo' || !prev) continue;
        rx += counterDelta(prev.rx, c.rx);
        tx += counterDelta(prev.tx, c.tx);
      }
      row.network_in_bytes = Number(rx);
      row.network_out_bytes = Number(tx);
    }
    this.prevNet = net;
    const load = parseLoadavg(loadavg as string);
    if (load) [row.load_1, row.load_5, row.load_15] = load;
    const series: AgentSeries[] = [];
    for (const m of parseMounts(mounts as string).slice(0, 64)) {
      const s = await statfs(m.mountpoint).catch(() => null);
      if (!s || s.blocks === 0) continue;
      // As df computes it: used over what non-root users can use.
      const used = s.blocks - s.bfree;
      const pct = round((100 * used) / (used + s.bavail || 1));
      if (m.mountpoint === '/') row.disk_usage = pct;
      series.push({
        ts,
        name: 'disk_usage_percent',
        labels: { mountpoint: m.mountpoint, fstype: m.fstype },
        value: pct,
      });
    }
    return { row, series };
  }
}
