// The combined streaming detector for one metric: the moving-average family, the
// seasonal baseline, the stuck-value test and an isolation forest over derived features,
// each calibrated on its own history and combined into one 0..1 score and alarm.
// update() scores a point with state built from earlier points only, then learns it.

import { Combiner, type CombinerOptions } from './combiner.ts';
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
] as const;
export type Component = (typeof COMPONENTS)[number];
type Calibrated = Exclude<Component, 'stuck'>;

export interface UnivariateOptions {
  seed: number;
  baseline: RobustEwmaOptions;
  ewma: EwmaOptions;
  levelSpan: number;
  varianceSpan: number;
  slowSpan: number;
  seasonal: SeasonalOptions;
  stuck: StuckOptions;
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
  private readonly has: Record<Component, boolean>;
  private readonly baseline: RobustEwma;
  private readonly ewma: Ewma;
  private readonly seasonal: SeasonalBaseline;
  private readonly stuck: StuckDetector;
  private readonly forest: ForestDetector;
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
    this.has = Object.fromEntries(COMPONENTS.map((c) => [c, opts.components.includes(c)])) as Record<
      Component,
      boolean
    >;
    this.baseline = new RobustEwma(opts.baseline);
    this.ewma = new Ewma(opts.ewma);
    this.seasonal = new SeasonalBaseline(opts.seasonal);
    this.stuck = new StuckDetector(opts.stuck);
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
    this.features.push(x);
    this.slow = Number.isNaN(this.slow) ? x : this.slow + this.slowAlpha * (x - this.slow);
    const f = this.features.row;
    const cs = this.components;
    for (let i = 0; i < cs.length; i++) {
      let z = 0;
      let expected = NaN;
      let surprise = NaN;
      switch (cs[i]!) {
        case 'ewma':
          z = this.ewma.z(x);
          expected = this.ewma.mean;
          break;
        case 'spike':
          z = b.z(x);
          expected = b.mean;
          break;
        case 'level':
          z = ready ? (this.features.level - b.mean) / sigma : 0;
          expected = b.mean;
          break;
        case 'variance': {
          // log-ratio, so "twice as jumpy" and "half as jumpy" are equally far from 0.
          const floor = b.floor();
          z = ready ? Math.log((this.features.spread + floor) / (b.scale + floor)) : 0;
          break;
        }
        case 'seasonal':
          z = this.seasonal.z(tsMs, x);
          expected = this.seasonal.expected;
          if (Number.isNaN(expected)) surprise = NaN;
          break;
        case 'stuck':
          surprise = this.stuck.surprise(x);
          z = this.stuck.run + 1;
          expected = x;
          break;
        case 'forest':
          z = this.forest.score(f);
          break;
        case 'high':
          z = x;
          break;
        case 'low':
          z = -x;
          break;
        case 'mean_high':
          z = this.features.level;
          break;
        case 'mean_low':
          z = -this.features.level;
          break;
        case 'slow_high':
          z = this.slow;
          break;
        case 'slow_low':
          z = -this.slow;
          break;
      }
      if (cs[i] !== 'stuck') {
        const d =
          cs[i]!.endsWith('_high') || cs[i]!.endsWith('_low') || cs[i] === 'high' || cs[i] === 'low'
            ? z
            : Math.abs(z);
        this.raw[i] = d;
        surprise = cs[i] === 'seasonal' && Number.isNaN(expected) ? NaN : this.calibrators[i]!.surprise(d);
      }
      this.signed[i] = z;
      this.expected[i] = expected;
      this.surprises[i] = surprise;
    }
    this.score = this.combiner.score(this.surprises);
    this.alarm = this.combiner.decide(this.score);
    // Learn x everywhere only after every component has scored it.
    for (let i = 0; i < cs.length; i++) {
      if (cs[i] !== 'stuck' && !(cs[i] === 'seasonal' && Number.isNaN(this.expected[i]!))) {
        this.calibrators[i]!.add(this.raw[i]!);
      }
    }
    b.update(x);
    if (this.has.ewma) this.ewma.update(x);
    if (this.has.seasonal) this.seasonal.update(tsMs, x);
    if (this.has.stuck) this.stuck.update(x);
    if (this.has.forest) this.forest.add(f);
    return this.score;
  }

  /** Details of the last update(), for explanations; cheap, so only called on alarms. */
  reading(): Reading {
    const i = this.combiner.dominant;
    return {
      score: this.score,
      alarm: this.alarm,
      component: i >= 0 ? this.components[i] : undefined,
      deviation: i >= 0 ? this.signed[i]! : 0,
      expected: i >= 0 ? this.expected[i]! : NaN,
    };
  }
}
