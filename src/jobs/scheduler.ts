// Runs named jobs on fixed intervals in this process. A job never overlaps itself; a failure is
// logged with the job's name and duration and the job simply runs again next time. Jobs keep
// their state in PostgreSQL (watermarks, partitions), so a restart resumes where it stopped,
// and each job is written to be safe when another Vigil process runs it at the same moment.
import type { Logger } from 'pino';

export interface Job {
  name: string;
  /** Interval between the end of one run and the start of the next, in ms. */
  everyMs: number;
  /** Run once right after start (default true). */
  runAtStart?: boolean;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface JobStatus {
  name: string;
  everyMs: number;
  running: boolean;
  runs: number;
  failures: number;
  lastStartedAt: Date | null;
  lastDurationMs: number | null;
  lastError: string | null;
}

export class Scheduler {
  private readonly jobs = new Map<
    string,
    { job: Job; status: JobStatus; timer: NodeJS.Timeout | null; current: Promise<void> | null }
  >();
  private readonly abort = new AbortController();
  private started = false;

  constructor(private readonly logger: Logger) {}

  add(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    this.jobs.set(job.name, {
      job,
      timer: null,
      current: null,
      status: {
        name: job.name,
        everyMs: job.everyMs,
        running: false,
        runs: 0,
        failures: 0,
        lastStartedAt: null,
        lastDurationMs: null,
        lastError: null,
      },
    });
    if (this.started) this.schedule(job.name, job.runAtStart === false ? job.everyMs : 0);
  }

  start(): void {
    this.started = true;
    for (const [name, { job }] of this.jobs) this.schedule(name, job.runAtStart === false ? job.everyMs : 0);
  }

  /** Runs a job now (waits for a running instance first); resolves when it finished. */
  async runNow(name: string): Promise<void> {
    const entry = this.jobs.get(name);
    if (!entry) throw new Error(`no job named ${name}`);
    if (entry.current) await entry.current;
    await this.execute(name);
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((e) => ({ ...e.status }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const e of this.jobs.values()) if (e.timer) clearTimeout(e.timer);
    await Promise.allSettled([...this.jobs.values()].map((e) => e.current));
  }

  private schedule(name: string, delay: number): void {
    const entry = this.jobs.get(name);
    if (!entry || this.abort.signal.aborted) return;
    entry.timer = setTimeout(() => {
      void this.execute(name).finally(() => this.schedule(name, entry.job.everyMs));
    }, delay);
    entry.timer.unref();
  }

  private execute(name: string): Promise<void> {
    const entry = this.jobs.get(name);
    if (!entry) return Promise.resolve();
    if (entry.current) return entry.current;
    const { status, job } = entry;
    const run = async () => {
      status.running = true;
      status.lastStartedAt = new Date();
      const t0 = performance.now();
      try {
        await job.run(this.abort.signal);
        status.lastError = null;
        this.logger.debug({ job: name, ms: Math.round(performance.now() - t0) }, 'job done');
      } catch (e) {
        status.failures += 1;
        status.lastError = (e as Error).message;
        this.logger.error({ job: name, ms: Math.round(performance.now() - t0), err: e }, 'job failed');
      } finally {
        status.runs += 1;
        status.running = false;
        status.lastDurationMs = Math.round(performance.now() - t0);
        entry.current = null;
      }
    };
    entry.current = run();
    return entry.current;
  }
}
