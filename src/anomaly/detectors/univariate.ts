// The combined streaming detector for one metric: the moving-average family, the
// seasonal baseline, the stuck-value test, contextual novelty and an isolation forest,
// each calibrated on its own history and combined into one 0..1 score and alarm.
// update() scores a point with state built from earlier points only, then learns it.

import { Combiner, type CombinerOptions } from './combiner.ts';
import { ContextNovelty, type ContextOptions } from './context.ts';
import { Ewma, type EwmaOptions, alphaForSpan } from './ewma.ts';
import { ForestDetector, type ForestDetectorOptions } from './forest-detector.ts';
import { RobustEwma, type RobustEwmaOptions } from './robust-ewma.ts';
import { SeasonalBaseline, type SeasonalOptions } from './seasonal.ts';
import { StuckDetector, type StuckOptions } from './stuck.ts';
import { TailCalibrator, type TailCalibratorOptions } from './tail-calibrator.ts';
import { VALUE_FEATURES, ValueFeatures } from './features.ts';

export const COMPONENTS = [
  'ewma',
  'spike',
  'level',
  'variance',
  'seasonal',
  'stuck',
  'forest',
  'high',
  'low',
  'mean_high',
  'mean_low',
  'slow_high',
  'slow_low',
  'context',
] as const;
export type Component = (typeof COMPONENTS)[number];

type Calibrated = Exclude<Component, 'stuck'>;
// Numeric codes for the hot loop (index into COMPONENTS); HIGH and after are one-sided.
// prettier-ignore
const EWMA = 0, SPIKE = 1, LEVEL = 2, VARIANCE = 3, SEASONAL = 4, STUCK = 5, FOREST = 6,
  HIGH = 7, LOW = 8, MEAN_HIGH = 9, MEAN_LOW = 10, SLOW_HIGH = 11, SLOW_LOW = 12, CONTEXT = 13;

export interface UnivariateOptions {
  seed: number;
  baseline: RobustEwmaOptions;
  ewma: EwmaOptions;
  levelSpan: number;
  varianceSpan: number;
  slowSpan: number;
  seasonal: SeasonalOptions;
  stuck: StuckOptions;
  /** Contextual novelty; optional so option objects without it still work (it abstains). */
  context?: ContextOptions;
  forest: Omit<ForestDetectorOptions, 'dims'> & { dims: number };
  calibration: TailCalibratorOptions;
  minExcess: Partial<Record<Calibrated, number>>;
  components: readonly Component[];
}

/** What one point looked like to the detector, for explanations (filled on demand). */
export interface Reading {
  score: number;
  alarm: boolean;
  /** Component with the largest surprise, or undefined when nothing stood out. */
  component: Component | undefined;
  /** Signed deviation of that component in its own units (sigmas, log-ratio, run length). */
  deviation: number;
  /** The baseline value it was compared with (NaN when not meaningful). */
  expected: number;
}

export class UnivariateDetector {
  readonly components: readonly Component[];
  private readonly kinds: Uint8Array;
  private readonly has: Record<Component, boolean>;
  private readonly baseline: RobustEwma;
  private readonly ewma: Ewma;
  private readonly seasonal: SeasonalBaseline;
  private readonly stuck: StuckDetector;
  private readonly forest: ForestDetector;
  private readonly context: ContextNovelty | undefined;
  private readonly features: ValueFeatures;
  private slow = NaN;
  private readonly slowAlpha: number;
  private readonly calibrators: TailCalibrator[];
  private readonly raw: Float64Array; // per component: statistic before calibration
  private readonly signed: Float64Array; // per component: signed deviation for explanations
  private readonly expected: Float64Array;
  private readonly surprises: Float64Array;
  readonly combiner: Combiner;
  /** Score and alarm of the last update(). */
  score = 0;
  alarm = false;

  constructor(opts: UnivariateOptions, combiner: CombinerOptions) {
    this.components = opts.components;
    this.kinds = Uint8Array.from(opts.components, (c) => COMPONENTS.indexOf(c));
    this.has = Object.fromEntries(COMPONENTS.map((c) => [c, opts.components.includes(c)])) as Record<
      Component,
      boolean
    >;
    this.baseline = new RobustEwma(opts.baseline);
    this.ewma = new Ewma(opts.ewma);
    this.seasonal = new SeasonalBaseline(opts.seasonal);
    this.stuck = new StuckDetector(opts.stuck);
    this.context = opts.context ? new ContextNovelty(opts.context) : undefined;
    this.features = new ValueFeatures(alphaForSpan(opts.levelSpan), alphaForSpan(opts.varianceSpan));
    this.slowAlpha = alphaForSpan(opts.slowSpan);
    this.forest = new ForestDetector({ ...opts.forest, dims: VALUE_FEATURES, seed: opts.seed });
    this.calibrators = opts.components.map(
      (c) =>
        new TailCalibrator({ ...opts.calibration, minExcess: c === 'stuck' ? 0 : (opts.minExcess[c] ?? 0) }),
    );
    const n = opts.components.length;
    this.raw = new Float64Array(n);
    this.signed = new Float64Array(n);
    this.expected = new Float64Array(n);
    this.surprises = new Float64Array(n);
    this.combiner = new Combiner(combiner);
  }

  /** Scores x at time tsMs (epoch milliseconds) and learns it. Returns the score. */
  update(tsMs: number, x: number): number {
    const b = this.baseline;
    const ready = b.ready();
    const sigma = b.sigma();
    // Recent behaviour includes x itself: "the last half hour, now included".
    const feat = this.features;
    feat.push(x);
    this.slow = Number.isNaN(this.slow) ? x : this.slow + this.slowAlpha * (x - this.slow);
    const kinds = this.kinds;
    for (let i = 0; i < kinds.length; i++) {
      let z = 0;
      let expected = NaN;
      // Statistics where both directions matter are scored by magnitude; the novelty
      // pairs (high/low) are one-sided by construction.
      switch (kinds[i]!) {
        case EWMA:
          z = this.ewma.z(x);
          expected = this.ewma.mean;
          break;
        case SPIKE:
          z = b.z(x);
          expected = b.mean;
          break;
        case LEVEL:
          z = ready ? (feat.level - b.mean) / sigma : 0;
          expected = b.mean;
          break;
        case VARIANCE: {
          // log-ratio, so "twice as jumpy" and "half as jumpy" are equally far from 0.
          const floor = b.floor();
          z = ready ? Math.log((feat.spread + floor) / (b.scale + floor)) : 0;
          break;
        }
        case SEASONAL:
          z = this.seasonal.z(tsMs, x);
          expected = this.seasonal.expected;
          break;
        case STUCK:
          z = this.stuck.run + 1;
          expected = x;
          break;
        case FOREST:
          z = this.forest.score(feat.row);
          break;
        case HIGH:
          z = x;
          break;
        case LOW:
          z = -x;
          break;
        case MEAN_HIGH:
          z = feat.level;
          break;
        case MEAN_LOW:
          z = -feat.level;
          break;
        case SLOW_HIGH:
          z = this.slow;
          break;
        case SLOW_LOW:
          z = -this.slow;
          break;
        case CONTEXT:
          z = this.context?.score(x) ?? NaN;
          break;
      }
      this.signed[i] = z;
      this.expected[i] = expected;
      const k = kinds[i]!;
      if (k === STUCK) {
        this.surprises[i] = this.stuck.surprise(x);
      } else if (
        (k === SEASONAL && Number.isNaN(expected)) ||
        (k === FOREST && !this.forest.forest) ||
        Number.isNaN(z)
      ) {
        // No trusted slot / no forest / no context model yet: abstain, and learn nothing (a history of
        // placeholder zeros would make the first real reading look infinitely strange).
        this.surprises[i] = NaN;
        this.expected[i] = NaN;
      } else {
        const d = k >= HIGH ? z : Math.abs(z);
        this.raw[i] = d;
        this.surprises[i] = this.calibrators[i]!.surprise(d);
      }
    }
    this.score = this.combiner.score(this.surprises);
    this.alarm = this.combiner.decide(this.score);
    // Learn x everywhere only after every component has scored it.
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i]!;
      if (k !== STUCK && !Number.isNaN(this.surprises[i]!)) {
        this.calibrators[i]!.add(this.raw[i]!);
      }
    }
    b.update(x);
    if (this.has.ewma) this.ewma.update(x);
    if (this.has.seasonal) this.seasonal.update(tsMs, x);
    if (this.has.stuck) this.stuck.update(x);
    if (this.has.forest) this.forest.add(feat.row);
    if (this.has.context) this.context?.learn(x);
    return this.score;
  }

  /** Retrains the isolation forest now on its trailing window (for a scheduled job). */
  retrain(): void {
    if (this.has.forest) this.forest.retrain();
  }

  /** Details of the last update(), for explanations; cheap, so only called on alarms. */
  reading(): Reading {
    const i = this.combiner.dominant;
    return {
      score: this.score,
      alarm: this.alarm,
      component: i < 0 ? undefined : this.components[i],
      deviation: i >= 0 ? this.signed[i]! : 0,
      expected: i >= 0 ? this.expected[i]! : NaN,
    };
  }
}
