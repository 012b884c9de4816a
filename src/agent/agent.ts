// The agent loop: every interval, sample the host, spool the batch durably, and let the sender
// deliver the spool. `vigil agent` runs it against a remote Vigil; `vigil start` runs a local one
// whose sink writes straight into the ingest service (no HTTP, no token).
import { type AgentSample, type AgentSeries, HostSampler, hostMetadata, localHostname } from './sampler.ts';
import type { AgentBatch } from './batch.ts';

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
}

export class Agent {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly sampler: HostSampler;
  private sentMetadata = false;

  constructor(private readonly o: AgentOptions) {
    this.sampler = new HostSampler(o.procRoot);
  }

  /** Takes one sample and hands it to the sink (the first sample primes the counters). */
  async tick(): Promise<void> {
    const now = this.o.now?.() ?? new Date();
    const { row, series } = await this.sampler.sample(now);
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
