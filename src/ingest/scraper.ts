// Reads Prometheus /metrics targets (node_exporter) on an interval: every sample is kept as a
// series and node_exporter's also fill server_metrics, exactly as remote_write does. Each target
// is labelled job="scrape", instance="<host:port>", like Prometheus would.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { CounterState } from './counters.ts';
import { parseScrape } from './parsers/prometheus-text.ts';
import type { IngestService } from './service.ts';
import { type IngestLimits, limitsAt } from './types.ts';

export interface ScrapeOptions {
  targets: readonly string[];
  service: IngestService;
  state: CounterState;
  clock: Clock;
  logger: Logger;
  limits: Omit<IngestLimits, 'nowMs'>;
  maxBodyBytes: number;
  timeoutMs: number;
}

/** Scrapes one target; returns how many samples were accepted. */
export async function scrapeTarget(url: string, o: ScrapeOptions, signal?: AbortSignal): Promise<number> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const res = await fetch(url, {
    headers: { accept: 'text/plain;version=0.0.4' },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!res.ok) throw new Error(`scrape ${url}: HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > o.maxBodyBytes) throw new Error(`scrape ${url}: body of ${length} bytes is over the limit`);
  const text = await res.text();
  if (text.length > o.maxBodyBytes) throw new Error(`scrape ${url}: body is over the limit`);
  const instance = new URL(url).host;
  const result = parseScrape(text, limitsAt(o.clock.now().getTime(), o.limits), o.state, {
    job: 'scrape',
    instance,
  });
  const summary = await o.service.ingest('ingest', result, { merge: true });
  return summary.accepted;
}

/** One round over every target; a failing target is logged and does not stop the others. */
export async function scrapeAll(o: ScrapeOptions, signal?: AbortSignal): Promise<void> {
  await Promise.all(
    o.targets.map((url) =>
      scrapeTarget(url, o, signal).catch((e: unknown) =>
        o.logger.warn({ job: 'ingest-scrape', target: url, err: (e as Error).message }, 'scrape failed'),
      ),
    ),
  );
}
