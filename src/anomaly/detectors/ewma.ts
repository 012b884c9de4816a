// Exponentially weighted mean and variance: the classic control-chart baseline.
// A point is scored against the state left by the points before it (no look-ahead),
// then folded in. During warm-up the weight is 1/n, so the first estimates are plain
// running averages instead of being anchored to the very first sample.

/** Smoothing weight for an EWMA that "remembers" about `span` points (pandas' span). */
export function alphaForSpan(span: number): number {
  return 2 / (Math.max(1, span) + 1);
}

export interface EwmaOptions {
  /** Memory of the mean and variance, in points. */
  span: number;
  /** Points needed before z() reports anything but 0. */
  warmup: number;
  /**
   * Smallest standard deviation used for z, relative to |mean| (plus an absolute floor),
   * so a perfectly flat series does not turn its first wobble into an infinite z.
   */
  relativeFloor: number;
  absoluteFloor: number;
}

export class Ewma {
  mean = 0;
  variance = 0;
  count = 0;
  private readonly alpha: number;

  constructor(private readonly opts: EwmaOptions) {
    this.alpha = alphaForSpan(opts.span);
  }

  std(): number {
    const floor = this.opts.absoluteFloor + this.opts.relativeFloor * Math.abs(this.mean);
    return Math.max(Math.sqrt(this.variance), floor);
  }

  /** Signed z-score of x against the current state (0 while warming up). */
  z(x: number): number {
    if (this.count < this.opts.warmup) return 0;
    return (x - this.mean) / this.std();
  }

  update(x: number): void {
    this.count++;
    if (this.count === 1) {
      this.mean = x;
      this.variance = 0;
      return;
    }
    const a = Math.max(this.alpha, 1 / this.count);
    const d = x - this.mean;
    this.mean += a * d;
    // West's incremental form: stays non-negative and needs no second pass.
    this.variance = (1 - a) * (this.variance + a * d * d);
  }
}
