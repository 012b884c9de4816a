// Anomaly detection for one server: every metric through its own combined univariate
// detector, plus an isolation forest over the server's whole sample (cpu, memory, disk,
// network, load and derived features), which sees combinations no single metric shows
// (CPU busy while the network is silent). One combiner turns the per-metric surprises and
// the forest's into one score and one alarm per sample, with episode suppression per
// server: one incident, one anomaly row, however many metrics it touches.

import { Combiner, type CombinerOptions } from './detectors/combiner.ts';
import { ForestDetector, type ForestDetectorOptions } from './detectors/forest-detector.ts';
import { TailCalibrator, type TailCalibratorOptions } from './detectors/tail-calibrator.ts';
import { UnivariateDetector, type UnivariateOptions } from './detectors/univariate.ts';
import { explain } from './explain.ts';

/** Columns of vigil.server_metrics that are scored, in this order. */
export const SERVER_METRICS = [
  'cpu_usage',
  'memory_usage',
  'disk_usage',
  'network_in_bytes',
  'network_out_bytes',
  'load_1',
] as const;
export type ServerMetric = (typeof SERVER_METRICS)[number];

const M = SERVER_METRICS.length;
/** Forest features: the metrics (bytes as log1p) plus each metric's change since the last sample. */
const DIMS = 2 * M;

export interface ServerDetectorOptions {
  univariate: UnivariateOptions;
  combiner: CombinerOptions;
  forest: Omit<ForestDetectorOptions, 'dims'>;
  calibration: TailCalibratorOptions;
}

export interface ServerReading {
  score: number;
  alarm: boolean;
  /** Metrics that stood out (at least one). */
  metrics: ServerMetric[];
  explanation: string;
}

export class ServerDetector {
  private readonly perMetric: UnivariateDetector[];
  private readonly forest: ForestDetector;
  private readonly forestTail: TailCalibrator;
  private readonly combiner: Combiner;
  private readonly surprises = new Float64Array(M + 1);
  private readonly row = new Float64Array(DIMS);
  private readonly last = new Float64Array(M).fill(NaN);
  private readonly values = new Float64Array(M);
  private forestScore = 0;
  score = 0;
  alarm = false;

  constructor(private readonly opts: ServerDetectorOptions) {
    this.perMetric = SERVER_METRICS.map(
      (_, i) => new UnivariateDetector({ ...opts.univariate, seed: opts.univariate.seed + i }, opts.combiner),
    );
    this.forest = new ForestDetector({ ...opts.forest, dims: DIMS });
    this.forestTail = new TailCalibrator({ ...opts.calibration, minExcess: 0.005 });
    this.combiner = new Combiner(opts.combiner);
  }

  /**
   * Scores one sample; `values` follows SERVER_METRICS, NaN for "not measured".
   * Returns the score; `alarm` tells whether this sample opens a new episode.
   */
  update(tsMs: number, values: ArrayLike<number>, sensitivity = 1): number {
    for (let i = 0; i < M; i++) {
      const x = values[i]!;
      this.values[i] = x;
      if (Number.isNaN(x)) {
        this.surprises[i] = NaN;
        continue;
      }
      this.perMetric[i]!.update(tsMs, x);
      this.surprises[i] = this.perMetric[i]!.combiner.surprise;
    }
    // A missing metric repeats its last value in the forest's row, so one exporter gap
    // does not look like a new kind of sample.
    for (let i = 0; i < M; i++) {
      const raw = Number.isNaN(values[i]!) ? this.last[i]! : values[i]!;
      const x = Number.isNaN(raw) ? 0 : i === 3 || i === 4 ? Math.log1p(raw) : raw;
      const prev = this.row[i]!;
      this.row[i] = x;
      this.row[M + i] = x - prev;
      if (!Number.isNaN(values[i]!)) this.last[i] = values[i]!;
    }
    this.forestScore = this.forest.score(this.row);
    this.surprises[M] = this.forest.forest ? this.forestTail.surprise(this.forestScore) : NaN;
    if (this.forest.forest) this.forestTail.add(this.forestScore);
    this.forest.add(this.row);
    this.score = this.combiner.score(this.surprises, sensitivity);
    this.alarm = this.combiner.decide(this.score);
    return this.score;
  }

  /** Which metrics and why, for the last update(); call on alarms only. */
  reading(): ServerReading {
    const d = this.combiner.dominant;
    const half = this.opts.combiner.alarmSurprise / 2;
    const involved = SERVER_METRICS.filter((_, i) => this.surprises[i]! >= half);
    if (d >= 0 && d < M) {
      const metric = SERVER_METRICS[d]!;
      const metrics = involved.includes(metric) ? involved : [metric, ...involved];
      return {
        score: this.score,
        alarm: this.alarm,
        metrics,
        explanation: explain(metric, this.values[d]!, this.perMetric[d]!.reading()),
      };
    }
    // The forest: name the metrics that moved most, even if none moved much alone.
    const ranked = SERVER_METRICS.map((m, i) => ({
      m,
      s: Number.isNaN(this.surprises[i]!) ? -1 : this.surprises[i]!,
    }))
      .sort((a, b) => b.s - a.s)
      .filter((x) => x.s >= 0)
      .slice(0, 3)
      .map((x) => x.m);
    const metrics = involved.length > 0 ? involved : ranked.length > 0 ? ranked : [SERVER_METRICS[0]];
    return {
      score: this.score,
      alarm: this.alarm,
      metrics,
      explanation: `unusual combination of ${metrics.join(', ')} for this server (isolation score ${this.forestScore.toFixed(2)})`,
    };
  }

  /** Retrains every forest (per metric and multivariate) on its trailing window. */
  retrain(): void {
    for (const u of this.perMetric) u.retrain();
    this.forest.retrain();
  }
}
