// The agent loop: every interval, sample the host, spool the batch durably, and let the sender
// deliver the spool. `vigil agent` runs it against a remote Vigil; `vigil start` runs a local one
// whose sink writes straight into the ingest service (no HTTP, no token).
import { type AgentSample, type AgentSeries, HostSampler, hostMetadata, localHostname } from './sampler.ts';
import type { AgentBatch } from './batch.ts';
import {
  type CounterReadings,
  loadReadings,
  readBootId,
  saveReadings,
  unusableBecause,
} from './counter-state.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  intervalMs: number;
  hostname?: string;
  region?: string;
  labels?: Record<string, string>;
  /** Receives each batch; a rejection is logged and the loop goes on. */
  sink: (batch: AgentBatch) => Promise<void>;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
  now?: () => Date;
  procRoot?: string;
  /**
   * File keeping the last counter readings across agent restarts (see counter-state.ts); without
   * one, the first interval after a start has no network or cpu delta.
   */
  statePath?: string;
}

/** Saved readings older than this many intervals are not used: the delta would span a gap. */
export const COUNTER_STATE_MAX_INTERVALS = 3;

export class Agent {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly sampler: HostSampler;
  private sentMetadata = false;
  /** This boot's id once looked up ('' when unknown or not needed: nothing is kept then). */
  private bootId: string | null = null;
  private lastSaveError = '';

  constructor(private readonly o: AgentOptions) {
    this.sampler = new HostSampler(o.procRoot);
  }

  /** Takes one sample and hands it to the sink (the first sample primes the counters). */
  async tick(): Promise<void> {
    const now = this.o.now?.() ?? new Date();
    if (this.bootId === null) await this.restoreCounters(now);
    const { row, series } = await this.sampler.sample(now);
    await this.saveCounters(now);
    const batch: AgentBatch = {
      hostname: this.o.hostname ?? localHostname(),
      ...(this.o.region ? { region: this.o.region } : {}),
      ...(this.o.labels && Object.keys(this.o.labels).length > 0 ? { labels: this.o.labels } : {}),
      // Metadata rides on the first batch (and refreshes the server row on every agent start).
      ...(this.sentMetadata ? {} : { metadata: hostMetadata(AGENT_VERSION) }),
      rows: [stripNulls(row)],
      series: series as AgentSeries[],
    };
    this.sentMetadata = true;
    await this.o.sink(batch);
  }

  /** Starts from the saved readings if they are of this boot and recent; never throws. */
  private async restoreCounters(now: Date): Promise<void> {
    const path = this.o.statePath;
    this.bootId = path ? await readBootId(this.o.procRoot) : '';
    if (!path) return;
    if (this.bootId === '') {
      this.o.log('warn', 'no readable boot_id: network and cpu counters are not kept across agent restarts');
      return;
    }
    let saved: CounterReadings | null;
    try {
      saved = await loadReadings(path);
    } catch (e) {
      this.o.log('warn', `ignoring the counter state ${path}: ${(e as Error).message}`);
      return;
    }
    if (!saved) return;
    const why = unusableBecause(saved, {
      bootId: this.bootId,
      nowMs: now.getTime(),
      maxAgeMs: COUNTER_STATE_MAX_INTERVALS * this.o.intervalMs,
    });
    if (why) this.o.log('info', `not starting from the counters in ${path}: ${why}`);
    else this.sampler.restore(saved);
  }

  /** Keeps this sample's readings for a restarted agent; a failure is logged (once), not fatal. */
  private async saveCounters(now: Date): Promise<void> {
    const { net, cpu } = this.sampler.counters;
    if (!this.o.statePath || !this.bootId || !net) return;
    try {
      await saveReadings(this.o.statePath, { bootId: this.bootId, atMs: now.getTime(), net, cpu });
      this.lastSaveError = '';
    } catch (e) {
      const message = `cannot save the counter state ${this.o.statePath}: ${(e as Error).message}`;
      if (message !== this.lastSaveError) this.o.log('warn', message);
      this.lastSaveError = message;
    }
  }

  start(): void {
    const loop = () => {
      this.running = this.tick()
        .catch((e: unknown) => this.o.log('warn', `agent sample failed: ${(e as Error).message}`))
        .finally(() => {
          this.running = null;
          if (this.timer !== null) this.timer = setTimeout(loop, this.o.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** Columns the host could not measure yet (first sample: no cpu or network delta) are left out. */
function stripNulls(row: AgentSample): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
}
