// The anomaly runner: after ingest commits a batch, score each touched server's new samples
// with its ServerDetector and write an `anomalies` row (method 'combined') for every alarm.
//
// Detector state lives in memory, one ServerDetector per server; what must survive a
// restart is in the database: the watermark (anomaly_state.scored_to) and the samples
// themselves. A server met for the first time in this process replays the week before its
// watermark to rebuild its baselines, calibration and forests, writing nothing, then scores
// only what is newer. Calls are serialised, so two batches touching one server cannot
// score its samples twice or out of order.

import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import {
  DEFAULT_COMBINER,
  DEFAULT_RUNNER,
  DEFAULT_UNIVARIATE,
  type AnomalyRunnerConfig,
} from './defaults.ts';
import {
  insertAnomalies,
  loadSamples,
  loadServerSettings,
  saveWatermark,
  serversBehind,
  type AnomalyRow,
} from './queries.ts';
import { SERVER_METRICS, ServerDetector, type ServerDetectorOptions } from './server-detector.ts';

export interface AnomalyRunnerDeps {
  db: Pool;
  logger: Logger;
  clock: Clock;
  config?: Partial<AnomalyRunnerConfig>;
  /** Detector settings; the shipped defaults unless a test or an expert overrides them. */
  detector?: Partial<ServerDetectorOptions>;
}

export interface RunSummary {
  servers: number;
  samples: number;
  anomalies: number;
  /** Servers that got at least one new anomalies row (for the 'anomaly.detected' event). */
  anomalousServers: string[];
}

export interface AnomalyRunner {
  /** Scores the new samples of these servers; resolves when their anomalies are written. */
  onBatchCommitted(serverIds: readonly (bigint | number | string)[]): Promise<RunSummary>;
  /** Retrains every in-memory isolation forest now (for the scheduler's training job). */
  retrain(): Promise<number>;
  /** Servers with samples newer than their watermark (or never scored, within the warmup). */
  serversBehind(): Promise<string[]>;
}

const HOUR_MS = 3_600_000;
const END_OF_TIME = new Date(8.64e15);

export function createAnomalyRunner(deps: AnomalyRunnerDeps): AnomalyRunner {
  const config: AnomalyRunnerConfig = { ...DEFAULT_RUNNER, ...deps.config };
  const detectorOptions: ServerDetectorOptions = {
    univariate: DEFAULT_UNIVARIATE,
    combiner: DEFAULT_COMBINER,
    forest: DEFAULT_UNIVARIATE.forest,
    calibration: DEFAULT_UNIVARIATE.calibration,
    ...deps.detector,
  };
  const servers = new Map<string, { detector: ServerDetector; scoredTo: Date }>();
  let queue: Promise<unknown> = Promise.resolve();
  const values = new Float64Array(SERVER_METRICS.length);

  async function warm(serverId: string, scoredTo: Date | null, now: Date) {
    const detector = new ServerDetector(detectorOptions);
    const since = new Date((scoredTo ?? now).getTime() - config.warmupHours * HOUR_MS);
    if (!scoredTo) return { detector, scoredTo: since };
    // Replay: learn the recent past, write nothing.
    let from = since;
    for (;;) {
      const rows = await loadSamples(deps.db, serverId, from, scoredTo, config.pageSize);
      for (const r of rows) {
        for (let i = 0; i < values.length; i++) values[i] = r.values[i] ?? NaN;
        detector.update(r.ts.getTime(), values);
      }
      if (rows.length < config.pageSize) break;
      from = rows[rows.length - 1]!.ts;
    }
    return { detector, scoredTo };
  }

  async function scoreServer(
    serverId: string,
    settings: { sensitivity: number; muted: boolean; scoredTo: Date | null },
    now: Date,
  ): Promise<{ samples: number; anomalies: number }> {
    let entry = servers.get(serverId);
    // Another process may have scored further (several runners on one database).
    if (!entry || (settings.scoredTo && settings.scoredTo > entry.scoredTo)) {
      entry = await warm(serverId, settings.scoredTo, now);
      servers.set(serverId, entry);
    }
    let samples = 0;
    let anomalies = 0;
    for (;;) {
      const rows = await loadSamples(deps.db, serverId, entry.scoredTo, END_OF_TIME, config.pageSize);
      if (rows.length === 0) break;
      const found: AnomalyRow[] = [];
      for (const r of rows) {
        for (let i = 0; i < values.length; i++) values[i] = r.values[i] ?? NaN;
        const det = entry.detector;
        det.update(r.ts.getTime(), values, settings.sensitivity);
        if (det.alarm && !settings.muted) {
          const reading = det.reading();
          found.push({
            serverId,
            ts: r.ts,
            metrics: reading.metrics,
            score: reading.score,
            method: 'combined',
            explanation: reading.explanation,
          });
        }
      }
      const last = rows[rows.length - 1]!.ts;
      await withTransaction(deps.db, async (tx) => {
        anomalies += await insertAnomalies(tx, found);
        await saveWatermark(tx, serverId, last);
      });
      entry.scoredTo = last;
      samples += rows.length;
      if (rows.length < config.pageSize) break;
    }
    return { samples, anomalies };
  }

  async function run(serverIds: readonly (bigint | number | string)[]): Promise<RunSummary> {
    const ids = [...new Set(serverIds.map(String))];
    const summary: RunSummary = { servers: ids.length, samples: 0, anomalies: 0, anomalousServers: [] };
    if (ids.length === 0) return summary;
    const started = performance.now();
    const now = deps.clock.now();
    const settings = await loadServerSettings(deps.db, ids, now, config.defaultSensitivity);
    for (const s of settings) {
      try {
        const r = await scoreServer(s.serverId, s, now);
        summary.samples += r.samples;
        summary.anomalies += r.anomalies;
        if (r.anomalies > 0) summary.anomalousServers.push(s.serverId);
      } catch (err) {
        // One server's failure must not stop the others; its watermark stays put, so the
        // next batch retries it.
        servers.delete(s.serverId);
        deps.logger.error({ err, serverId: s.serverId }, 'anomaly scoring failed');
      }
    }
    deps.logger.debug({ ...summary, ms: Math.round(performance.now() - started) }, 'anomaly scoring');
    return summary;
  }

  return {
    onBatchCommitted(serverIds) {
      const next = queue.then(() => run(serverIds));
      queue = next.catch(() => undefined);
      return next;
    },
    retrain() {
      const next = queue.then(() => {
        const started = performance.now();
        for (const { detector } of servers.values()) detector.retrain();
        deps.logger.info(
          { job: 'anomaly-retrain', servers: servers.size, ms: Math.round(performance.now() - started) },
          'retrained isolation forests',
        );
        return servers.size;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    serversBehind() {
      return serversBehind(deps.db, new Date(deps.clock.now().getTime() - config.warmupHours * HOUR_MS));
    },
  };
}
